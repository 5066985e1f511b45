import {
  MULTIFD_FLAG_SYNC,
  MULTIFD_FLAG_ZLIB,
  decodeMultifdPacket,
  encodeMultifdInit,
  encodeMultifdPacket,
  multifdHeaderSize,
} from "@savevm/format";
import { describe, expect, it } from "vitest";
import { MemoryOutputChannel, memoryInputChannel, type InputChannel } from "../../channel.js";
import type { RamBodyWriter } from "../record-sink.js";
import type { ChannelSink } from "../stream-codec.js";
import { MultifdReceiver, type MultifdPageTarget } from "./multifd-receiver.js";
import { MultifdSender } from "./multifd-sender.js";

const PAGE = 4096;
const UUID = Uint8Array.from({ length: 16 }, (_, i) => i * 7);

function page(fill: number): Uint8Array {
  return new Uint8Array(PAGE).fill(fill);
}

function packet(id: number, offsets: number[], flags = 0, block = "pc.ram"): Uint8Array[] {
  const header = encodeMultifdPacket(
    {
      flags,
      pagesAlloc: 128,
      nextPacketSize: offsets.length * PAGE,
      packetNum: BigInt(id),
      ramblock: offsets.length ? block : "",
      offsets,
    },
    PAGE,
  );
  return [header, ...offsets.map((o) => page((o / PAGE) & 0xff))];
}

function lane(channel: number, ...parts: Uint8Array[][]): InputChannel {
  const chunks = [encodeMultifdInit({ uuid: UUID, channel }), ...parts.flat()];
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  // Odd chunk sizes, so reads span chunks.
  return memoryInputChannel(all, 1000);
}

class Recorder implements MultifdPageTarget {
  readonly pages = new Map<number, number>();
  writePages(block: string, offsets: readonly number[], data: Uint8Array): void {
    if (block !== "pc.ram") throw new Error(`multifd: unknown ram block ${block}`);
    offsets.forEach((o, i) => this.pages.set(o, data[i * PAGE]!));
  }
}

async function failure(receiver: MultifdReceiver): Promise<string> {
  try {
    await receiver.sync();
  } catch (e) {
    return (e as Error).message;
  } finally {
    await receiver.close();
  }
  return "synced";
}

describe("MultifdReceiver", () => {
  it("applies each channel's pages and holds what follows a sync packet until the main stream syncs", async () => {
    const target = new Recorder();
    const receiver = new MultifdReceiver(
      [
        lane(1, packet(1, [0x3000]), packet(3, [], MULTIFD_FLAG_SYNC), packet(5, [0x5000])),
        lane(0, packet(0, [0x1000, 0x2000]), packet(2, [], MULTIFD_FLAG_SYNC), packet(4, [], MULTIFD_FLAG_SYNC)),
      ],
      { uuid: UUID, pageSize: PAGE },
    );
    receiver.attach(target);
    await receiver.sync();
    expect([...target.pages.keys()].sort((a, b) => a - b)).toEqual([0x1000, 0x2000, 0x3000]);
    expect(target.pages.get(0x2000)).toBe(2);
    const second = failure(receiver);
    expect(await second).toContain("multifd channel 1: the source closed the channel before its sync packet");
    expect(target.pages.get(0x5000)).toBe(5);
  });

  it("refuses another machine's UUID, a channel id twice, and a bad init packet", async () => {
    const other = new MultifdReceiver([lane(0)], { uuid: new Uint8Array(16), pageSize: PAGE });
    expect(await failure(other)).toMatch(
      /^multifd: received uuid '00070e15-.*' and expected uuid '00000000-0000-0000-0000-000000000000' for channel 0$/,
    );
    const twice = new MultifdReceiver([lane(1), lane(1)], { uuid: UUID, pageSize: PAGE });
    expect(await failure(twice)).toBe("multifd: received id '1' already setup'");
    const beyond = new MultifdReceiver([lane(2), lane(0)], { uuid: UUID, pageSize: PAGE });
    expect(await failure(beyond)).toContain("multifd: received channel id 2, expected one below 2");
    const short = new MultifdReceiver([memoryInputChannel(new Uint8Array(10))], { uuid: UUID, pageSize: PAGE });
    expect(await failure(short)).toContain("connection closed after 10 bytes");
  });

  it("fails the load on a bad packet, naming the channel and the byte offset", async () => {
    const bad = packet(0, [0x1000]);
    new DataView(bad[0]!.buffer).setUint32(0, 0xdeadbeef);
    const r1 = new MultifdReceiver([lane(0, bad)], { uuid: UUID, pageSize: PAGE });
    r1.attach(new Recorder());
    expect(await failure(r1)).toBe(
      "multifd: received packet magic deadbeef and expected magic 11223344 (at byte 0x40, in section 'multifd channel 0')",
    );

    const truncated = packet(0, [0x1000, 0x2000]);
    const r2 = new MultifdReceiver([lane(0, [truncated[0]!, truncated[1]!])], { uuid: UUID, pageSize: PAGE });
    r2.attach(new Recorder());
    expect(await failure(r2)).toContain("multifd channel 0: connection closed inside page data");

    const zlib = new MultifdReceiver([lane(0, packet(0, [0x1000], MULTIFD_FLAG_ZLIB))], { uuid: UUID, pageSize: PAGE });
    zlib.attach(new Recorder());
    expect(await failure(zlib)).toBe("multifd 0: flags received 2 flags expected 0");

    const block = new MultifdReceiver([lane(0, packet(0, [0x1000], 0, "nope"))], { uuid: UUID, pageSize: PAGE });
    block.attach(new Recorder());
    expect(await failure(block)).toBe("multifd: unknown ram block nope");
  });
});

describe("MultifdSender", () => {
  function fakeSink(): ChannelSink & { records: string[] } {
    const records: string[] = [];
    const ram: RamBodyWriter = {
      memSize: () => records.push("mem-size"),
      zeroPage: (_b, offset) => records.push(`zero ${offset}`),
      page: (_b, offset) => records.push(`page ${offset}`),
      dedupPage: () => records.push("dedup"),
      eos: () => records.push("eos"),
    };
    return {
      records,
      ram,
      header: () => undefined,
      section: () => undefined,
      footer: () => undefined,
      device: () => undefined,
      eof: () => undefined,
      position: 0,
      flush: async () => undefined,
      end: async () => undefined,
    };
  }

  it("sends non-zero pages in batches of one block over the channels, and a sync packet on each at EOS", async () => {
    const lanes = [new MemoryOutputChannel(), new MemoryOutputChannel()];
    const sender = new MultifdSender(lanes, { uuid: UUID, pageSize: PAGE });
    const main = fakeSink();
    const sink = sender.wrap(main);
    for (let p = 0; p < 130; p++) sink.ram.page("pc.ram", p * PAGE, page(p));
    sink.ram.zeroPage("pc.ram", 200 * PAGE, 0);
    sink.ram.page("pc.rom", 0, page(9));
    sink.ram.eos();
    await sink.end();
    await sender.close();
    expect(main.records).toEqual([`zero ${200 * PAGE}`, "eos"]);
    expect(sink.position).toBe(sender.bytes);

    const packets = lanes.flatMap((l, id) => {
      const bytes = l.bytes();
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0x11, 0x22, 0x33, 0x44]);
      expect(bytes[24]).toBe(id);
      const out = [];
      for (let at = 64; at < bytes.length; ) {
        const p = decodeMultifdPacket(bytes.subarray(at), PAGE, { offset: at });
        out.push(p);
        at += multifdHeaderSize(PAGE) + p.nextPacketSize;
      }
      return out;
    });
    packets.sort((a, b) => Number(a.packetNum - b.packetNum));
    expect(packets.map((p) => [p.ramblock, p.offsets.length, p.flags])).toEqual([
      ["pc.ram", 128, 0],
      ["pc.ram", 2, 0],
      ["pc.rom", 1, 0],
      ["", 0, MULTIFD_FLAG_SYNC],
      ["", 0, MULTIFD_FLAG_SYNC],
    ]);
    expect(packets.map((p) => p.packetNum)).toEqual([0n, 1n, 2n, 3n, 4n]);
  });

  it("round-trips through a receiver", async () => {
    const lanes = [new MemoryOutputChannel(), new MemoryOutputChannel(), new MemoryOutputChannel()];
    const sender = new MultifdSender(lanes, { uuid: UUID, pageSize: PAGE });
    const sink = sender.wrap(fakeSink());
    for (let p = 1; p < 300; p += 2) sink.ram.page("pc.ram", p * PAGE, page(p & 0xff));
    sink.ram.eos();
    await sink.end();
    await sender.close();
    const target = new Recorder();
    const receiver = new MultifdReceiver(
      lanes.map((l) => memoryInputChannel(l.bytes(), 777)),
      { uuid: UUID, pageSize: PAGE },
    );
    receiver.attach(target);
    await receiver.sync();
    await receiver.close();
    expect(target.pages.size).toBe(150);
    for (const [offset, fill] of target.pages) expect(fill).toBe((offset / PAGE) & 0xff);
  });
});
