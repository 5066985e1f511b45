import { MULTIFD_FLAG_ZLIB } from "@savevm/format";
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";
import { MachineError } from "../errors.js";
import type { MultifdCodec, MultifdCompressor, MultifdDecompressor } from "../save/multifd/multifd-codec.js";

/** Feeds `data` and sync-flushes: what came out is the whole of this packet's part of the stream. */
function pass(stream: Deflate | Inflate, data: Uint8Array, limit: number, what: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        done();
        stream.destroy();
        reject(new MachineError("LOAD_FAILED", `${what}: more than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onError = (err: Error): void => {
      done();
      reject(new MachineError("LOAD_FAILED", `${what}: ${err.message}`, { cause: err }));
    };
    const done = (): void => {
      stream.off("data", onData);
      stream.off("error", onError);
    };
    stream.on("data", onData);
    stream.once("error", onError);
    stream.write(data);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      if (stream.destroyed) return;
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    });
  });
}

/** zlib as QEMU 7.2's multifd uses it: one zlib stream per channel, a sync flush per packet. */
export function multifdZlib(level: number): MultifdCodec {
  return {
    flag: MULTIFD_FLAG_ZLIB,
    compressor(): MultifdCompressor {
      const stream = createDeflate({ level });
      return {
        compress: (pages) => pass(stream, pages, Number.MAX_SAFE_INTEGER, "deflate failed"),
        close: () => stream.destroy(),
      };
    },
    decompressor(): MultifdDecompressor {
      const stream = createInflate();
      return {
        async decompress(data, size) {
          const out = await pass(stream, data, size, "inflate generated");
          if (out.length !== size) throw new MachineError("LOAD_FAILED", `packet size received ${out.length} size expected ${size}`);
          return out;
        },
        close: () => stream.destroy(),
      };
    },
  };
}
