import { spawn, type ChildProcess } from "node:child_process";

const parents = new Set<ChildProcess>();

/**
 * A real process that exits after `seconds` but is never reaped: its parent shell exec's into a
 * sleep, which never waits for children, so the exited child stays a zombie while the parent
 * lives (as under a container's PID 1 that reaps slowly). Resolves with the child's pid.
 */
export async function unreapedChild(seconds: number): Promise<number> {
  const parent = spawn("sh", ["-c", `sleep ${seconds} & echo $!; exec sleep 60`], { stdio: ["ignore", "pipe", "ignore"] });
  parents.add(parent);
  return Number(await new Promise<string>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()))));
}

/** Ends every parent `unreapedChild` started, which takes its zombie with it. */
export async function endUnreapedChildren(): Promise<void> {
  await Promise.all(
    [...parents].map(async (p) => {
      if (p.exitCode === null && p.signalCode === null) {
        const gone = new Promise((resolve) => p.once("exit", resolve));
        p.kill("SIGKILL");
        await gone;
      }
    }),
  );
  parents.clear();
}
