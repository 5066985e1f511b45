import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assemblySourceHash } from "../../scripts/source-hash.mjs";
import { GuestMemory } from "../guest-memory.js";
import { assemblySourceHash as embeddedHash, scalarWasm, simdSharedWasm, simdWasm } from "../generated/wasm-bytes.js";
import { compileRamWasm, createRamWasmContext, simdSupported } from "./context.js";

const packageRoot = join(fileURLToPath(import.meta.url), "..", "..", "..");

describe("wasm builds", () => {
  it("embeds bytes built from the current assembly sources", async () => {
    expect(await assemblySourceHash(packageRoot)).toBe(embeddedHash);
  });

  it("has three builds with the same exports, each importing its memory", () => {
    const modules = [simdWasm, scalarWasm, simdSharedWasm].map((b64) => new WebAssembly.Module(Buffer.from(b64, "base64")));
    expect(simdSupported()).toBe(true);
    const exports = modules.map((m) => WebAssembly.Module.exports(m));
    expect(exports[1]).toEqual(exports[0]);
    expect(exports[2]).toEqual(exports[0]);
    for (const m of modules) expect(WebAssembly.Module.imports(m)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
    // The shared build only links against a shared memory.
    expect(() => createRamWasmContext({ memory: new WebAssembly.Memory({ initial: 1 }), shared: true })).toThrow();
  });

  it("picks SIMD by default and honours an explicit choice", async () => {
    await compileRamWasm();
    expect(GuestMemory.create({ bytes: 4096 }).variant).toBe("simd");
    expect(GuestMemory.create({ bytes: 4096, simd: false }).variant).toBe("scalar");
    const memory = new WebAssembly.Memory({ initial: 1 });
    const ctx = createRamWasmContext({ memory, simd: false });
    expect(ctx.variant).toBe("scalar");
    expect(ctx.layout.ST_SIZE % 16).toBe(0);
    new Uint8Array(memory.buffer).fill(9, 1024, 1536);
    expect(ctx.fn.uniformByte(1024, 512)).toBe(9);
  });
});
