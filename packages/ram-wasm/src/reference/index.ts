// Plain TypeScript versions of every export, for differential tests (here and in packages built
// on this one). Same interfaces, no WebAssembly.
export { ReferenceGuestMemory } from "./guest-memory.js";
export { ReferencePageBitmap } from "./page-bitmap.js";
export { ReferencePageScanner } from "./page-scanner.js";
export { ReferenceCopyBeforeWriteQueue } from "./copy-before-write-queue.js";
export { ReferenceXxh64, referenceXxh64 } from "./xxh64.js";
export { referenceUniformValue } from "./uniform-value.js";
