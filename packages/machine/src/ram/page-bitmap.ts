/** One bit per page of a `PageMemory`: @savevm/ram-wasm's bitmap contract, whatever memory backs the block. */
export type { PageBitmapLike as PageBitmap } from "@savevm/ram-wasm";
