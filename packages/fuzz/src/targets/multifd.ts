import {
  FormatError,
  MULTIFD_FLAG_SYNC,
  MULTIFD_FLAG_ZLIB,
  decodeMultifdInit,
  decodeMultifdPacket,
  encodeMultifdInit,
  encodeMultifdPacket,
  multifdHeaderSize,
} from "@savevm/format";
import { hasCode, type FuzzTarget } from "../target.js";

const PAGE = 4096;

/**
 * `channels byte, bytes`: the bytes as a multifd init packet for that many channels, and as a
 * packet header, as a destination reads each connection.
 */
export const multifdTarget: FuzzTarget = {
  name: "multifd",
  description: "@savevm/format decodeMultifdInit and decodeMultifdPacket (QEMU 7.2 multifd channels)",
  seeds: () => {
    const uuid = Uint8Array.from({ length: 16 }, (_, i) => i);
    const packets = [
      { flags: 0, pagesAlloc: 128, nextPacketSize: 2 * PAGE, packetNum: 3n, ramblock: "pc.ram", offsets: [0, 0x5000] },
      { flags: MULTIFD_FLAG_SYNC, pagesAlloc: 128, nextPacketSize: 0, packetNum: 9n, ramblock: "", offsets: [] },
      { flags: MULTIFD_FLAG_ZLIB, pagesAlloc: 128, nextPacketSize: 777, packetNum: 1n, ramblock: "ram", offsets: [0x1000] },
    ];
    return [
      new Uint8Array([2, ...encodeMultifdInit({ uuid, channel: 1 })]),
      ...packets.map((p) => new Uint8Array([4, ...encodeMultifdPacket(p, PAGE)])),
    ];
  },
  run(input) {
    if (input.length === 0) return;
    const channels = 1 + (input[0]! % 255);
    const bytes = input.subarray(1);
    let error: unknown;
    try {
      decodeMultifdInit(bytes, channels, { where: "multifd connection 1" });
    } catch (err) {
      error = err;
    }
    decodeMultifdPacket(bytes, PAGE, { where: "multifd channel 0", offset: 64 });
    if (error !== undefined) throw error;
  },
  expected: (error) => hasCode(error, [FormatError]),
  maxAllocation: multifdHeaderSize(PAGE) * 4,
  maxInput: multifdHeaderSize(PAGE) + 64,
  dictionary: ["\x11\x22\x33\x44", "\x00\x00\x00\x01", "\x00\x00\x00\x80", "\x00\x00\x00\x81", "pc.ram\x00", "\xff\xff\xff\xff"],
};
