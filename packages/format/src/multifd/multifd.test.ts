import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import {
  MULTIFD_FLAG_SYNC,
  MULTIFD_FLAG_ZLIB,
  MULTIFD_INIT_PACKET_SIZE,
  MULTIFD_MAX_COMPRESSED_SIZE,
  multifdHeaderSize,
  multifdPagesPerPacket,
} from "./multifd-constants.js";
import { decodeMultifdInit, encodeMultifdInit, startsWithMultifdMagic } from "./multifd-init.js";
import { decodeMultifdPacket, encodeMultifdPacket, type MultifdPacket } from "./multifd-packet.js";

const PAGE = 4096;
const HEADER = multifdHeaderSize(PAGE);

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error("accepted");
}

function be32(bytes: Uint8Array, at: number, v: number): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, v);
  return bytes;
}

const blockName = fc.stringMatching(/^[a-z0-9./@:-]{1,60}$/);

const packet = fc
  .record({
    flags: fc.constantFrom(0, MULTIFD_FLAG_SYNC),
    pagesAlloc: fc.integer({ min: 0, max: multifdPagesPerPacket(PAGE) }),
    packetNum: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    ramblock: blockName,
    pages: fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: multifdPagesPerPacket(PAGE) }),
  })
  .map(({ flags, pagesAlloc, packetNum, ramblock, pages }): MultifdPacket => {
    const offsets = pages.slice(0, pagesAlloc).map((p) => p * PAGE);
    return { flags, pagesAlloc, packetNum, ramblock: offsets.length === 0 ? "" : ramblock, offsets, nextPacketSize: offsets.length * PAGE };
  });

describe("multifd init packet", () => {
  it("is 64 bytes in QEMU 7.2's layout", () => {
    const uuid = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const bytes = encodeMultifdInit({ uuid, channel: 3 });
    expect(bytes.length).toBe(MULTIFD_INIT_PACKET_SIZE);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1]);
    expect(Array.from(bytes.subarray(8, 24))).toEqual(Array.from(uuid));
    expect(bytes[24]).toBe(3);
    expect(bytes.subarray(25).every((b) => b === 0)).toBe(true);
    expect(startsWithMultifdMagic(bytes)).toBe(true);
    expect(startsWithMultifdMagic(new TextEncoder().encode("QEVM"))).toBe(false);
  });

  it("round-trips any uuid and channel", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 254 }), (uuid, channel) => {
        const back = decodeMultifdInit(encodeMultifdInit({ uuid, channel }), 255);
        expect(back.channel).toBe(channel);
        expect(Array.from(back.uuid)).toEqual(Array.from(uuid));
      }),
    );
  });

  it("refuses wrong magic, version, channel id and short input with the connection and offset", () => {
    const good = encodeMultifdInit({ uuid: new Uint8Array(16), channel: 1 });
    const magic = errorOf(() => decodeMultifdInit(be32(good.slice(), 0, 0x51455600), 2, { where: "connection 2", offset: 0 }));
    expect(magic.code).toBe("BAD_MAGIC");
    expect(magic.message).toContain("multifd: received packet magic 51455600 expected 11223344");
    expect(magic.section).toBe("connection 2");
    expect(magic.offset).toBe(0);
    const version = errorOf(() => decodeMultifdInit(be32(good.slice(), 4, 2), 2));
    expect(version.code).toBe("VERSION_UNSUPPORTED");
    expect(version.offset).toBe(4);
    const id = errorOf(() => decodeMultifdInit(good, 1, { where: "connection 1" }));
    expect(id.code).toBe("LIMIT_EXCEEDED");
    expect(id.offset).toBe(24);
    expect(errorOf(() => decodeMultifdInit(good.subarray(0, 63), 2)).code).toBe("TRUNCATED");
  });
});

describe("multifd packet header", () => {
  it("always has room for a full batch of offsets (1344 bytes with 4 KiB pages)", () => {
    expect(HEADER).toBe(320 + 128 * 8);
    const bytes = encodeMultifdPacket(
      { flags: MULTIFD_FLAG_SYNC, pagesAlloc: 128, nextPacketSize: 0, packetNum: 7n, ramblock: "", offsets: [] },
      PAGE,
    );
    expect(bytes.length).toBe(HEADER);
  });

  it("round-trips", () => {
    fc.assert(
      fc.property(packet, (p) => {
        const bytes = encodeMultifdPacket(p, PAGE);
        expect(bytes.length).toBe(HEADER);
        expect(decodeMultifdPacket(bytes, PAGE)).toEqual(p);
      }),
      { numRuns: 200 },
    );
  });

  it("places fields where QEMU's MultiFDPacket_t has them", () => {
    const bytes = encodeMultifdPacket(
      {
        flags: 0,
        pagesAlloc: 128,
        nextPacketSize: 2 * PAGE,
        packetNum: 0x0102030405060708n,
        ramblock: "pc.ram",
        offsets: [0x1000, 0x3000],
      },
      PAGE,
    );
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(12)).toBe(128);
    expect(view.getUint32(16)).toBe(2);
    expect(view.getUint32(20)).toBe(2 * PAGE);
    expect(view.getBigUint64(24)).toBe(0x0102030405060708n);
    expect(new TextDecoder().decode(bytes.subarray(64, 70))).toBe("pc.ram");
    expect(bytes[70]).toBe(0);
    expect(view.getBigUint64(320)).toBe(0x1000n);
    expect(view.getBigUint64(328)).toBe(0x3000n);
  });

  it("ignores the stale size and block name of a packet without pages", () => {
    const bytes = encodeMultifdPacket(
      { flags: 0, pagesAlloc: 128, nextPacketSize: 8 * PAGE, packetNum: 1n, ramblock: "pc.ram", offsets: [] },
      PAGE,
    );
    const p = decodeMultifdPacket(bytes, PAGE);
    expect(p.nextPacketSize).toBe(0);
    expect(p.ramblock).toBe("");
  });

  it("bounds every count from the wire", () => {
    const good = encodeMultifdPacket(
      { flags: 0, pagesAlloc: 2, nextPacketSize: 2 * PAGE, packetNum: 0n, ramblock: "pc.ram", offsets: [0, PAGE] },
      PAGE,
    );
    const ctx = { where: "multifd channel 1", offset: 5000 };
    const alloc = errorOf(() => decodeMultifdPacket(be32(good.slice(), 12, 129), PAGE, ctx));
    expect(alloc.code).toBe("LIMIT_EXCEEDED");
    expect(alloc.message).toContain("received packet with size 129 and expected a size of 128");
    expect(alloc.offset).toBe(5012);
    expect(alloc.section).toBe("multifd channel 1");
    const normal = errorOf(() => decodeMultifdPacket(be32(good.slice(), 16, 3), PAGE, ctx));
    expect(normal.message).toContain("received packet with 3 pages and expected maximum pages are 2");
    expect(errorOf(() => decodeMultifdPacket(be32(good.slice(), 20, 3 * PAGE), PAGE)).code).toBe("LIMIT_EXCEEDED");
    const zlib = be32(be32(good.slice(), 8, MULTIFD_FLAG_ZLIB), 20, MULTIFD_MAX_COMPRESSED_SIZE + 1);
    expect(errorOf(() => decodeMultifdPacket(zlib, PAGE)).code).toBe("LIMIT_EXCEEDED");
    expect(decodeMultifdPacket(be32(zlib, 20, 100), PAGE).nextPacketSize).toBe(100);
    const misaligned = good.slice();
    new DataView(misaligned.buffer).setBigUint64(328, 0x1001n);
    const bad = errorOf(() => decodeMultifdPacket(misaligned, PAGE, ctx));
    expect(bad.code).toBe("BAD_RAM_OFFSET");
    expect(bad.offset).toBe(5328);
    expect(errorOf(() => decodeMultifdPacket(be32(good.slice(), 0, 1), PAGE)).code).toBe("BAD_MAGIC");
    expect(errorOf(() => decodeMultifdPacket(be32(good.slice(), 4, 0), PAGE)).code).toBe("VERSION_UNSUPPORTED");
    expect(errorOf(() => decodeMultifdPacket(good.subarray(0, HEADER - 1), PAGE, ctx)).code).toBe("TRUNCATED");
  });

  it("never throws anything but a FormatError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: HEADER + 8 }), fc.boolean(), (bytes, magic) => {
        if (magic && bytes.length >= 8) be32(be32(bytes, 0, 0x11223344), 4, 1);
        try {
          decodeMultifdPacket(bytes, PAGE);
          decodeMultifdInit(bytes, 4);
        } catch (e) {
          expect(e).toBeInstanceOf(FormatError);
        }
      }),
    );
  });
});
