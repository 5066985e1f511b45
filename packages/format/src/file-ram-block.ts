/**
 * One RAM block extracted to a file: pages that arrive at consecutive addresses (as QEMU sends
 * them) are gathered and written together, one system call per MiB instead of one per page. The
 * file starts sparse and all zero, so zero pages never written need no write at all.
 */
import { readSync, writeSync } from "node:fs";
import type { RamBlockAccess } from "./ram/ram-applier.js";

const GATHER_BYTES = 1 << 20;

export class FileRamBlock implements RamBlockAccess {
  readonly zeroed = true;
  private readonly pending = new Uint8Array(GATHER_BYTES);
  private pendingStart = 0;
  private pendingLength = 0;

  constructor(private readonly fd: number, readonly length: number) {}

  read(offset: number, into: Uint8Array): void {
    this.flush();
    let done = 0;
    while (done < into.length) {
      const n = readSync(this.fd, into, done, into.length - done, offset + done);
      if (n === 0) {
        into.fill(0, done);
        return;
      }
      done += n;
    }
  }

  write(offset: number, data: Uint8Array): void {
    if (offset !== this.pendingStart + this.pendingLength || this.pendingLength + data.length > GATHER_BYTES) {
      this.flush();
      this.pendingStart = offset;
    }
    if (data.length > GATHER_BYTES) {
      writeFully(this.fd, data, offset);
      this.pendingStart = offset + data.length;
      return;
    }
    this.pending.set(data, this.pendingLength);
    this.pendingLength += data.length;
  }

  /** Writes what is gathered; call before the file is read elsewhere or closed. */
  flush(): void {
    if (this.pendingLength === 0) return;
    writeFully(this.fd, this.pending.subarray(0, this.pendingLength), this.pendingStart);
    this.pendingStart += this.pendingLength;
    this.pendingLength = 0;
  }
}

function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}
