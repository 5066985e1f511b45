import { MachineError } from "../errors.js";

/** Readers for loaded vmstate values, which arrive as numbers, bigints or byte arrays. */
export function num(state: Record<string, unknown>, field: string, section: string): number {
  const v = state[field];
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  throw missing(field, section);
}

export function big(state: Record<string, unknown>, field: string, section: string): bigint {
  const v = state[field];
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw missing(field, section);
}

export function bytes(state: Record<string, unknown>, field: string, section: string): Uint8Array {
  const v = state[field];
  if (v instanceof Uint8Array) return v;
  throw missing(field, section);
}

export function numbers(state: Record<string, unknown>, field: string, section: string): number[] {
  const v = state[field];
  if (Array.isArray(v)) return v.map((x, i) => num({ x }, "x", `${section}.${field}[${i}]`));
  throw missing(field, section);
}

export function record(state: Record<string, unknown>, field: string, section: string): Record<string, unknown> {
  const v = state[field];
  if (v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)) {
    return v as Record<string, unknown>;
  }
  throw missing(field, section);
}

function missing(field: string, section: string): MachineError {
  return new MachineError("BAD_DEVICE_STATE", `${section}: field '${field}' is missing or has the wrong type`, { section });
}
