import {
  FormatError,
  MULTIFD_FLAG_COMPRESSION_MASK,
  MULTIFD_FLAG_NOCOMP,
  MULTIFD_FLAG_SYNC,
  MULTIFD_INIT_PACKET_SIZE,
  decodeMultifdInit,
  decodeMultifdPacket,
  multifdHeaderSize,
} from "@savevm/format";
import type { InputChannel } from "../../channel.js";
import { MachineError, errorMessage } from "../../errors.js";
import { uuidText } from "../../uuid.js";
import { ExactReader } from "./exact-reader.js";
import type { MultifdCodec, MultifdDecompressor } from "./multifd-codec.js";

/** Where multifd pages go: the RAM load of the main stream (it checks block names and offsets). */
export interface MultifdPageTarget {
  /** `data` holds `offsets.length` pages in order; it may be reused once this returns. */
  writePages(block: string, offsets: readonly number[], data: Uint8Array, where: { section: string; offset: number }): void;
}

export interface MultifdReceiverOptions {
  /** This machine's UUID (16 bytes, zeros for none): QEMU 7.2 requires the source's to equal it. */
  uuid: Uint8Array;
  pageSize: number;
  /** The `multifd-compression` this end is set to (none: uncompressed); packets must use it. */
  codec?: MultifdCodec | undefined;
}

class Deferred {
  resolve!: () => void;
  reject!: (err: Error) => void;
  readonly promise = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor() {
    // A channel may fail with nobody waiting on it yet; the waiter sees the failure later.
    this.promise.catch(() => undefined);
  }
}

interface Lane {
  id: number;
  reader: ExactReader;
  /** Resolved when this lane read the SYNC packet of the current round. */
  arrived: Deferred;
  /** Resolved by the main stream once every lane arrived: the lane reads on. */
  release: Deferred;
  readonly decompressor: MultifdDecompressor | undefined;
}

/**
 * The destination side of QEMU 7.2's multifd: N channels, each an init packet and then packets
 * of pages. A lane stops after each SYNC packet until the main stream reaches the RAM section's
 * EOS (`sync`), so pages of one round never overtake records of the previous one, as QEMU's
 * `multifd_recv_sync_main` arranges.
 */
export class MultifdReceiver {
  readonly #inputs: readonly InputChannel[];
  readonly #options: MultifdReceiverOptions;
  readonly #lanes: Lane[] = [];
  readonly #failure = new Deferred();
  #error: Error | undefined;
  #target: MultifdPageTarget | undefined;
  readonly #attached = new Deferred();
  readonly #ready: Promise<void>;
  #closed = false;

  constructor(inputs: readonly InputChannel[], options: MultifdReceiverOptions) {
    this.#inputs = inputs;
    this.#options = options;
    this.#ready = this.#handshake();
    this.#ready.catch((err: unknown) => this.#fail(err));
  }

  /** Packets are applied from now on (the main stream's RAM load has begun). */
  attach(target: MultifdPageTarget): void {
    this.#target = target;
    this.#attached.resolve();
  }

  /** Waits until every channel sent its SYNC packet of this round, then lets them read on. */
  async sync(): Promise<void> {
    await Promise.race([this.#ready, this.#failure.promise]);
    await Promise.race([Promise.all(this.#lanes.map((l) => l.arrived.promise)), this.#failure.promise]);
    if (this.#error) throw this.#error;
    for (const lane of this.#lanes) {
      lane.arrived = new Deferred();
      const release = lane.release;
      lane.release = new Deferred();
      release.resolve();
    }
  }

  /** The first error of any channel, if one failed. */
  get error(): Error | undefined {
    return this.#error;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#attached.resolve();
    for (const lane of this.#lanes) {
      lane.release.resolve();
      lane.decompressor?.close();
    }
    await Promise.all(this.#inputs.map((i) => i.close().catch(() => undefined)));
  }

  async #handshake(): Promise<void> {
    const count = this.#inputs.length;
    const expected = this.#options.uuid;
    const lanes = await Promise.all(
      this.#inputs.map(async (input, index) => {
        const reader = new ExactReader(input);
        const where = `multifd connection ${index + 1}`;
        const { bytes, got } = await reader.read(MULTIFD_INIT_PACKET_SIZE);
        if (!bytes) {
          throw new MachineError("CHANNEL", `failed to receive packet via multifd channel ${index}: connection closed after ${got} bytes`);
        }
        let init;
        try {
          init = decodeMultifdInit(bytes, count, { where, offset: 0 });
        } catch (err) {
          throw new MachineError("CHANNEL", `failed to receive packet via multifd channel ${index}: ${errorMessage(err)}`, { cause: err });
        }
        if (!sameBytes(init.uuid, expected)) {
          throw new MachineError(
            "CHANNEL",
            `multifd: received uuid '${uuidText(init.uuid)}' and expected uuid '${uuidText(expected)}' for channel ${init.channel}`,
          );
        }
        const decompressor = this.#options.codec?.decompressor();
        return { id: init.channel, reader, arrived: new Deferred(), release: new Deferred(), decompressor } satisfies Lane;
      }),
    );
    // Ids are below the count (checked on decode), so distinct ids are exactly 0 … count − 1.
    lanes.sort((a, b) => a.id - b.id);
    for (let i = 1; i < lanes.length; i++) {
      if (lanes[i]!.id === lanes[i - 1]!.id) throw new MachineError("CHANNEL", `multifd: received id '${lanes[i]!.id}' already setup'`);
    }
    this.#lanes.push(...lanes);
    for (const lane of lanes) void this.#receive(lane).catch((err: unknown) => this.#fail(err, lane));
  }

  async #receive(lane: Lane): Promise<void> {
    const pageSize = this.#options.pageSize;
    const headerSize = multifdHeaderSize(pageSize);
    const section = `multifd channel ${lane.id}`;
    for (;;) {
      if (await lane.reader.atEnd()) {
        lane.arrived.reject(new MachineError("CHANNEL", `${section}: the source closed the channel before its sync packet`));
        return;
      }
      const at = lane.reader.offset;
      const { bytes } = await lane.reader.read(headerSize);
      if (!bytes) throw new MachineError("CHANNEL", `${section}: connection closed inside a packet header`, { offset: at, section });
      const packet = decodeMultifdPacket(bytes, pageSize, { where: section, offset: at });
      await this.#attached.promise;
      if (this.#closed) return;
      if (packet.offsets.length > 0) {
        const compression = packet.flags & MULTIFD_FLAG_COMPRESSION_MASK;
        const expected = this.#options.codec?.flag ?? MULTIFD_FLAG_NOCOMP;
        if (compression !== expected) {
          throw new MachineError(
            "LOAD_FAILED",
            `multifd ${lane.id}: flags received ${compression.toString(16)} flags expected ${expected.toString(16)}`,
            {
              offset: at,
              section,
            },
          );
        }
        const dataAt = lane.reader.offset;
        const data = await lane.reader.read(packet.nextPacketSize);
        if (!data.bytes) throw new MachineError("CHANNEL", `${section}: connection closed inside page data`, { offset: dataAt, section });
        const pages = lane.decompressor
          ? await lane.decompressor.decompress(data.bytes, packet.offsets.length * pageSize).catch((err: unknown) => {
              throw new MachineError("LOAD_FAILED", `multifd ${lane.id}: ${errorMessage(err)}`, { offset: dataAt, section, cause: err });
            })
          : data.bytes;
        this.#target!.writePages(packet.ramblock, packet.offsets, pages, { section, offset: dataAt });
      }
      if (packet.flags & MULTIFD_FLAG_SYNC) {
        const release = lane.release;
        lane.arrived.resolve();
        await release.promise;
        if (this.#closed) return;
      }
    }
  }

  #fail(err: unknown, lane?: Lane): void {
    if (this.#error || this.#closed) return;
    const e =
      err instanceof MachineError
        ? err
        : new MachineError(err instanceof FormatError ? "LOAD_FAILED" : "CHANNEL", errorMessage(err), {
            cause: err,
            ...(lane ? { section: `multifd channel ${lane.id}` } : {}),
            ...(err instanceof FormatError && err.offset !== undefined ? { offset: err.offset } : {}),
          });
    this.#error = e;
    this.#failure.reject(e);
    for (const input of this.#inputs) void input.close().catch(() => undefined);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
