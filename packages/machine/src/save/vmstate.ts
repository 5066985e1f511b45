/**
 * Device layouts are data: QEMU-style VMStateDescriptions as @savevm/format encodes and
 * decodes them. In a state value a subsection's fields sit under the subsection's name, and a
 * subsection is written when that key is present.
 */
export type { VMStateDescription, VMStateField, VMStateValue } from "@savevm/format";
