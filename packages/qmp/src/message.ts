import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.js";
import { qdictOrder } from "./qemu-order.js";

/**
 * Checks the members of a QMP input object as QEMU's dispatcher does, walking them in QDict
 * order so that, with several problems, the same one is reported.
 */

export interface QmpRequest {
  command: string;
  /** `exec-oob` rather than `execute`. */
  oob: boolean;
  args: JsonObject;
  /** Present when the input had an `id` (which may be `null`). */
  id?: { value: JsonValue };
}

export type CheckedRequest = { ok: true; request: QmpRequest } | { ok: false; desc: string; id?: { value: JsonValue } };

/** True for input QEMU runs at once instead of queueing: `exec-oob` without `execute`. */
export function isOobRequest(value: JsonValue): boolean {
  return isJsonObject(value) && Object.prototype.hasOwnProperty.call(value, "exec-oob") && !Object.prototype.hasOwnProperty.call(value, "execute");
}

export function checkRequest(value: JsonValue, allowOob: boolean): CheckedRequest {
  if (!isJsonObject(value)) return { ok: false, desc: "QMP input must be a JSON object" };
  const id = Object.prototype.hasOwnProperty.call(value, "id") ? { value: value.id! } : undefined;
  const fail = (desc: string): CheckedRequest => (id ? { ok: false, desc, id } : { ok: false, desc });
  let execKey: string | undefined;
  for (const key of qdictOrder(Object.keys(value))) {
    const member = value[key]!;
    if (key === "execute" || (key === "exec-oob" && allowOob)) {
      if (typeof member !== "string") return fail(`QMP input member '${key}' must be a string`);
      if (execKey !== undefined) return fail(`QMP input member '${key}' clashes with '${execKey}'`);
      execKey = key;
    } else if (key === "arguments") {
      if (!isJsonObject(member)) return fail("QMP input member 'arguments' must be an object");
    } else if (key !== "id") {
      return fail(`QMP input member '${key}' is unexpected`);
    }
  }
  if (execKey === undefined) return fail("QMP input lacks member 'execute'");
  const request: QmpRequest = {
    command: value[execKey] as string,
    oob: execKey === "exec-oob",
    args: (value.arguments as JsonObject | undefined) ?? {},
  };
  if (id) request.id = id;
  return { ok: true, request };
}
