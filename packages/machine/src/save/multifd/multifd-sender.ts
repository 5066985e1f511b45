import { MULTIFD_FLAG_NOCOMP, MULTIFD_FLAG_SYNC, encodeMultifdInit, encodeMultifdPacket, multifdPagesPerPacket } from "@savevm/format";
import type { OutputChannel } from "../../channel.js";
import { MachineError, errorMessage } from "../../errors.js";
import type { RamBodyWriter } from "../record-sink.js";
import type { ChannelSink } from "../stream-codec.js";
import type { MultifdCodec, MultifdCompressor } from "./multifd-codec.js";

/** A sink's bytes not yet written to a channel beyond which `flush` waits for that channel. */
const QUEUED_LIMIT = 4 << 20;

interface Lane {
  readonly id: number;
  readonly channel: OutputChannel;
  /** The chain of writes, in order; a failure stays in it. */
  tail: Promise<void>;
  queued: number;
  readonly compressor: MultifdCompressor | undefined;
}

export interface MultifdSenderOptions {
  /** The source's UUID (16 bytes, zeros for none); QEMU's destination compares it with its own. */
  uuid: Uint8Array;
  pageSize: number;
  /** `multifd-compression` other than none: each channel's pages go through its own compressor. */
  codec?: MultifdCodec | undefined;
}

/**
 * The source side of QEMU 7.2's multifd: non-zero pages leave the main stream and travel in
 * batches of up to 128 pages of one block over N channels, each batch to the channel with the
 * least queued; the main stream keeps everything else (ZERO records, device state). At every
 * EOS of the RAM section each channel sends a SYNC packet first, as `multifd_send_sync_main`.
 */
export class MultifdSender {
  readonly #lanes: Lane[];
  readonly #pageSize: number;
  readonly #capacity: number;
  #packetNum = 0n;
  #batchBlock = "";
  #batchOffsets: number[] = [];
  #batchData: Uint8Array;
  #bytes = 0;
  #error: Error | undefined;
  readonly #flag: number;

  constructor(channels: readonly OutputChannel[], options: MultifdSenderOptions) {
    if (channels.length === 0 || channels.length > 255) throw new MachineError("INVALID_ARGUMENT", "multifd needs 1 to 255 channels");
    this.#pageSize = options.pageSize;
    this.#capacity = multifdPagesPerPacket(options.pageSize);
    this.#batchData = new Uint8Array(this.#capacity * options.pageSize);
    this.#flag = options.codec?.flag ?? MULTIFD_FLAG_NOCOMP;
    this.#lanes = channels.map((channel, id) => ({
      id,
      channel,
      tail: Promise.resolve(),
      queued: 0,
      compressor: options.codec?.compressor(),
    }));
    for (const lane of this.#lanes) {
      const init = encodeMultifdInit({ uuid: options.uuid, channel: lane.id });
      this.#enqueue(lane, init.length, async () => [init]);
    }
  }

  /** Bytes sent or queued on the multifd channels (QEMU's `multifd-bytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** `sink` with non-zero pages diverted to the channels; its position counts their bytes too. */
  wrap(sink: ChannelSink): ChannelSink {
    const ram: RamBodyWriter = {
      memSize: (blocks) => sink.ram.memSize(blocks),
      zeroPage: (block, offset, fill) => sink.ram.zeroPage(block, offset, fill),
      page: (block, offset, bytes) => this.#page(block, offset, bytes),
      dedupPage: () => {
        throw new MachineError("INVALID_STATE", "x-dedup page references cannot travel over multifd channels");
      },
      eos: () => {
        this.#syncAll();
        sink.ram.eos();
      },
    };
    const sender = this;
    return {
      header: (configuration) => sink.header(configuration),
      section: (type, entry) => sink.section(type, entry),
      footer: (entry) => sink.footer(entry),
      ram,
      device: (body) => sink.device(body),
      eof: () => sink.eof(),
      // The batch being filled counts too: a RAM iteration's byte budget (max-bandwidth) sees its pages at once.
      get position() {
        return sink.position + sender.#bytes + sender.#batchOffsets.length * sender.#pageSize;
      },
      flush: async () => {
        await sink.flush();
        await this.#drain(QUEUED_LIMIT);
      },
      end: async () => {
        await sink.end();
        await this.#drain(0);
      },
    };
  }

  /** Closes every channel once all was written (after the main stream ended). */
  async close(): Promise<void> {
    await this.#drain(0);
    for (const lane of this.#lanes) lane.compressor?.close();
    await Promise.all(this.#lanes.map((l) => l.channel.close()));
  }

  async abort(reason: Error): Promise<void> {
    for (const lane of this.#lanes) lane.compressor?.close();
    await Promise.all(this.#lanes.map((l) => l.channel.abort(reason)));
  }

  #page(block: string, offset: number, bytes: Uint8Array): void {
    if (this.#batchOffsets.length > 0 && block !== this.#batchBlock) this.#sendBatch();
    this.#batchBlock = block;
    this.#batchData.set(bytes, this.#batchOffsets.length * this.#pageSize);
    this.#batchOffsets.push(offset);
    if (this.#batchOffsets.length === this.#capacity) this.#sendBatch();
  }

  #sendBatch(): void {
    const count = this.#batchOffsets.length;
    if (count === 0) return;
    const size = count * this.#pageSize;
    const packet = {
      flags: this.#flag,
      pagesAlloc: this.#capacity,
      nextPacketSize: size,
      packetNum: this.#packetNum++,
      ramblock: this.#batchBlock,
      offsets: this.#batchOffsets,
    };
    // The batch buffer goes to the channel as is; the next batch gets a fresh one.
    const data = this.#batchData.subarray(0, size);
    this.#batchData = new Uint8Array(this.#capacity * this.#pageSize);
    this.#batchOffsets = [];
    const lane = this.#lanes.reduce((a, b) => (b.queued < a.queued ? b : a));
    // A compressed packet's size is known once its data went through the channel's stream, in order.
    this.#enqueue(lane, size, async () => {
      const body = lane.compressor ? await lane.compressor.compress(data) : data;
      return [encodeMultifdPacket({ ...packet, nextPacketSize: body.length }, this.#pageSize), body];
    });
  }

  #syncAll(): void {
    this.#sendBatch();
    for (const lane of this.#lanes) {
      const sync = encodeMultifdPacket(
        {
          flags: MULTIFD_FLAG_SYNC,
          pagesAlloc: this.#capacity,
          nextPacketSize: 0,
          packetNum: this.#packetNum++,
          ramblock: "",
          offsets: [],
        },
        this.#pageSize,
      );
      this.#enqueue(lane, sync.length, async () => [sync]);
    }
  }

  /** `size`: the bytes queued until `produce` ran and its chunks were written. */
  #enqueue(lane: Lane, size: number, produce: () => Promise<Uint8Array[]>): void {
    lane.queued += size;
    this.#bytes += size;
    lane.tail = lane.tail.then(async () => {
      if (this.#error) return;
      try {
        const chunks = await produce();
        // Counted as queued; what goes out may be smaller (compressed).
        this.#bytes += chunks.reduce((n, c) => n + c.length, 0) - size;
        await lane.channel.write(chunks);
      } catch (err) {
        this.#error ??= new MachineError("CHANNEL", `multifd channel ${lane.id}: ${errorMessage(err)}`, { cause: err });
      } finally {
        lane.queued -= size;
      }
    });
  }

  /** Waits until each channel has at most `limit` bytes queued; reports a channel's failure. */
  async #drain(limit: number): Promise<void> {
    for (const lane of this.#lanes) {
      while (lane.queued > limit && !this.#error) await lane.tail;
    }
    if (this.#error) throw this.#error;
  }
}
