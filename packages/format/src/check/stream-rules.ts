import type { SectionRecord } from "../records.js";
import { QEMU_RUN_STATES } from "../run-states.js";
import { bytesToLatin1 } from "../wire/byte-reader.js";
import type { CheckFinding } from "./finding.js";

/** globalstate's post_load refuses a run state QEMU does not know, so such a stream cannot be loaded. */
const RUN_STATES: ReadonlySet<string> = new Set(QEMU_RUN_STATES);

/** globalstate v1 on the wire: be32 size, then a 100-byte NUL-padded runstate. */
const RUNSTATE_AT = 4;
const RUNSTATE_BYTES = 100;

/** The runstate of a globalstate section, checked as `global_state_post_load` does. */
export function checkGlobalState(rec: SectionRecord): CheckFinding | undefined {
  const body = rec.body;
  if (rec.idstr !== "globalstate" || body === undefined || body.length < RUNSTATE_AT + RUNSTATE_BYTES) return undefined;
  const field = body.subarray(RUNSTATE_AT, RUNSTATE_AT + RUNSTATE_BYTES);
  // QEMU forces the last byte to NUL, so at most 99 characters count.
  const nul = field.indexOf(0);
  const runstate = bytesToLatin1(field, 0, nul === -1 ? RUNSTATE_BYTES - 1 : nul);
  if (RUN_STATES.has(runstate)) return undefined;
  return {
    code: "BAD_RUNSTATE",
    message: `invalid parameter value: ${runstate}`,
    offset: rec.offset + 14 + rec.idstr.length + RUNSTATE_AT,
    section: rec.idstr,
    sectionId: rec.sectionId,
  };
}

/**
 * Whether the configuration record promises section footers: send-configuration and
 * send-section-footer are switched off together (hw_compat_2_3, Xen), so a stream that has the
 * one from a machine type newer than 2.3 is loaded by a QEMU that expects the other.
 */
export function footersPromised(machineType: string): boolean {
  const m = /-(\d+)\.(\d+)$/.exec(machineType);
  if (!m) return true;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 2 || (major === 2 && minor > 3);
}
