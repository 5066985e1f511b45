import type { VMStateDescription, VMStateField } from "./vmstate.js";

/**
 * A device's largest encoding: its layout with every subsection sent, and its state with every
 * subsection filled in (zeros where the device has none now). Undefined for layouts whose size
 * depends on the values (variable-length buffers and arrays, queues, strings, custom types),
 * which no estimate made in advance can bound.
 */
export function largestBody(
  vmsd: VMStateDescription,
  state: Record<string, unknown>,
): { vmsd: VMStateDescription; state: Record<string, unknown> } | undefined {
  if (!fixedSize(vmsd)) return undefined;
  return { vmsd: allSubsections(vmsd), state: filled(vmsd, state) };
}

const FIXED_TYPES: ReadonlySet<string> = new Set([
  "bool",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "int32 equal",
  "int32 le",
  "int64 equal",
  "uint8 equal",
  "uint16 equal",
  "uint32 equal",
  "timer",
  "CPU_Double_U",
  "float64",
  "buffer",
  "unused_buffer",
  "bitmap",
  "nullptr",
  "struct",
]);

function fixedSize(vmsd: VMStateDescription): boolean {
  const fieldFixed = (f: VMStateField): boolean =>
    typeof f.type === "string" &&
    FIXED_TYPES.has(f.type) &&
    f.sizeField === undefined &&
    f.countField === undefined &&
    (f.type !== "struct" || (f.struct !== undefined && fixedSize(f.struct)));
  return vmsd.fields.every(fieldFixed) && (vmsd.subsections ?? []).every(fixedSize);
}

/** The layout with each subsection's `needed` dropped: presence is then by key, and every key is there. */
function allSubsections(vmsd: VMStateDescription): VMStateDescription {
  if (!vmsd.subsections) return vmsd;
  return {
    ...vmsd,
    subsections: vmsd.subsections.map((sub) => {
      const { needed: _needed, ...always } = sub;
      return allSubsections(always);
    }),
    fields: vmsd.fields.map((f) => (f.struct ? { ...f, struct: allSubsections(f.struct) } : f)),
  };
}

function filled(vmsd: VMStateDescription, state: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...state };
  for (const sub of vmsd.subsections ?? []) {
    const own = state[sub.name];
    out[sub.name] = own !== null && typeof own === "object" ? filled(sub, own as Record<string, unknown>) : zeroState(sub);
  }
  return out;
}

function zeroState(vmsd: VMStateDescription): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of vmsd.fields) out[f.name] = f.count === undefined ? zeroValue(f) : Array.from({ length: f.count }, () => zeroValue(f));
  return filled(vmsd, out);
}

function zeroValue(f: VMStateField): unknown {
  switch (f.type) {
    case "bool":
      return false;
    case "int64":
    case "uint64":
    case "int64 equal":
    case "timer":
      return BigInt(f.expect ?? 0);
    case "buffer":
    case "unused_buffer":
      return new Uint8Array(f.size ?? 0);
    case "bitmap":
      return Array.from({ length: Math.ceil((f.size ?? 0) / 64) }, () => 0n);
    case "nullptr":
      return null;
    case "struct":
      return zeroState(f.struct!);
    default:
      return Number(f.expect ?? 0);
  }
}
