import { errorMessage, MachineError } from "../errors.js";
import { defer } from "../save/event-loop.js";

/** QEMU's JobStatus. */
export type JobStatus =
  | "undefined"
  | "created"
  | "running"
  | "paused"
  | "ready"
  | "standby"
  | "waiting"
  | "pending"
  | "aborting"
  | "concluded"
  | "null";

/** `query-jobs`' JobInfo, members in QAPI order. */
export interface JobInfo {
  id: string;
  type: string;
  status: JobStatus;
  "current-progress": number;
  "total-progress": number;
  error?: string;
}

interface Job {
  info: JobInfo;
}

/** QEMU's id_wellformed: a letter, then letters, digits, '-', '.', '_'. */
function wellFormed(id: string): boolean {
  return /^[A-Za-z][A-Za-z0-9._-]*$/.test(id);
}

/**
 * QMP jobs as QEMU runs snapshot-save/-load/-delete: the command returns at once, the job goes
 * created → running → waiting → pending → concluded (or running → aborting → concluded with an
 * error), each step a `JOB_STATUS_CHANGE` event, and stays in `query-jobs` until `job-dismiss`.
 */
export class JobManager {
  readonly #jobs = new Map<string, Job>();
  readonly #emit: (event: string, data: Record<string, unknown>) => void;

  constructor(emit: (event: string, data: Record<string, unknown>) => void) {
    this.#emit = emit;
  }

  /**
   * Checks `id` now (QEMU's words), then runs `work` as a job. The events follow the command's
   * reply, as QEMU's do.
   */
  start(id: string, type: string, work: () => Promise<void>): void {
    if (!wellFormed(id)) throw new MachineError("INVALID_ARGUMENT", `Invalid job ID '${id}'`);
    if (this.#jobs.has(id)) throw new MachineError("INVALID_ARGUMENT", `Job ID '${id}' already in use`);
    const job: Job = { info: { id, type, status: "created", "current-progress": 0, "total-progress": 1 } };
    this.#jobs.set(id, job);
    defer(() => {
      this.#set(job, "created");
      this.#set(job, "running");
      void work().then(
        () => {
          job.info["current-progress"] = 1;
          this.#set(job, "waiting");
          this.#set(job, "pending");
          this.#set(job, "concluded");
        },
        (err: unknown) => {
          job.info["current-progress"] = 1;
          job.info.error = errorMessage(err);
          this.#set(job, "aborting");
          this.#set(job, "concluded");
        },
      );
    });
  }

  #set(job: Job, status: JobStatus): void {
    job.info.status = status;
    this.#emit("JOB_STATUS_CHANGE", { status, id: job.info.id });
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.info }));
  }

  /** `job-dismiss`: only a concluded job goes away (status `null`). */
  dismiss(id: string): void {
    const job = this.#jobs.get(id);
    if (!job) throw new MachineError("INVALID_ARGUMENT", "Job not found");
    if (job.info.status !== "concluded") {
      throw new MachineError("INVALID_STATE", `Job '${id}' in state '${job.info.status}' cannot accept command verb 'dismiss'`);
    }
    this.#jobs.delete(id);
    this.#set(job, "null");
  }
}
