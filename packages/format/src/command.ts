import { MAX_PACKAGED_SIZE, QEMU_VM_COMMAND } from "./constants.js";
import { FormatError, hex } from "./errors.js";
import type { CommandRecord } from "./records.js";
import { ByteReader } from "./wire/byte-reader.js";
import { ByteWriter } from "./wire/byte-writer.js";

/** enum qemu_vm_cmd, by number (savevm.c). */
export const MIG_CMD = {
  OPEN_RETURN_PATH: 1,
  PING: 2,
  POSTCOPY_ADVISE: 3,
  POSTCOPY_LISTEN: 4,
  POSTCOPY_RUN: 5,
  POSTCOPY_RAM_DISCARD: 6,
  PACKAGED: 7,
  ENABLE_COLO: 8,
  POSTCOPY_RESUME: 9,
  RECV_BITMAP: 10,
  SWITCHOVER_START: 11,
} as const;

export type CommandName = keyof typeof MIG_CMD;

const NAMES: readonly string[] = ["INVALID", ...Object.keys(MIG_CMD)];

/** mig_cmd_args[].len: the payload length each command must have, -1 when it varies. */
const FIXED_LENGTH: readonly number[] = [-1, 0, 4, -1, 0, 0, -1, 4, 0, 0, -1, 0];

export function commandName(command: number): string {
  return NAMES[command] ?? `MIG_CMD ${hex(command)}`;
}

/** Reads `u8 0x08, be16 cmd, be16 len, data` and applies the loader's checks. */
export function parseCommand(r: ByteReader): CommandRecord {
  const offset = r.offset;
  r.u8();
  const command = r.u16();
  const len = r.u16();
  const data = r.bytes(len).slice();
  checkCommand(command, data, offset);
  return { kind: "command", offset, command, name: commandName(command), data };
}

/** QEMU's loadvm_process_command checks, with its messages. */
export function checkCommand(command: number, data: Uint8Array, offset: number): void {
  const len = data.length;
  if (command === 0 || command >= NAMES.length) {
    throw new FormatError("UNKNOWN_COMMAND", `MIG_CMD ${hex(command)} unknown (len ${hex(len)})`, { offset });
  }
  const fixed = FIXED_LENGTH[command]!;
  if (fixed !== -1 && fixed !== len) {
    throw new FormatError("BAD_COMMAND", `${NAMES[command]} received with bad length - expecting ${fixed}, got ${len}`, { offset });
  }
  const r = new ByteReader(data, offset + 5);
  switch (command) {
    case MIG_CMD.POSTCOPY_ADVISE:
      if (len !== 0 && len !== 16) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_ADVISE invalid length (${len})`, { offset });
      break;
    case MIG_CMD.POSTCOPY_RAM_DISCARD: {
      if (len < 1 + 1 + 1 + 1 + 2 * 8) {
        throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD invalid length (${len})`, { offset });
      }
      const version = r.u8();
      if (version !== 0) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD invalid version (${version})`, { offset });
      const nameLen = r.peekU8();
      if (nameLen === 0 || r.remaining < 1 + nameLen + 1) {
        throw new FormatError("BAD_COMMAND", "CMD_POSTCOPY_RAM_DISCARD Failed to read RAMBlock ID", { offset });
      }
      r.skip(1 + nameLen);
      const nil = r.u8();
      if (nil !== 0) throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD missing nil (${nil})`, { offset });
      if ((len - 3 - nameLen) % 16 !== 0) {
        throw new FormatError("BAD_COMMAND", `CMD_POSTCOPY_RAM_DISCARD invalid length (${len - 3 - nameLen})`, { offset });
      }
      break;
    }
    case MIG_CMD.RECV_BITMAP:
      if (len < 1 || len !== 1 + data[0]! || data[0] === 0) {
        throw new FormatError("BAD_COMMAND", `loadvm_handle_recv_bitmap: invalid payload length (${len})`, { offset });
      }
      break;
    case MIG_CMD.PACKAGED: {
      const size = r.u32();
      if (size > MAX_PACKAGED_SIZE) {
        throw new FormatError("BAD_COMMAND", `Unreasonably large packaged state: ${size}`, { offset });
      }
      break;
    }
  }
}

/** Length of the nested stream announced by a PACKAGED command. */
export function packagedLength(rec: CommandRecord): number {
  return new ByteReader(rec.data).u32();
}

export function writeCommand(w: ByteWriter, rec: CommandRecord): void {
  w.u8(QEMU_VM_COMMAND).u16(rec.command).u16(rec.data.length).bytes(rec.data);
}

export interface RamDiscardRange {
  start: bigint;
  length: bigint;
}

/** Decoded payloads of the commands that carry one. */
export type CommandDetails =
  | { name: "PING"; value: number }
  | { name: "POSTCOPY_ADVISE"; pageSizeSummary?: bigint; targetPageSize?: bigint }
  | { name: "POSTCOPY_RAM_DISCARD"; block: string; ranges: RamDiscardRange[] }
  | { name: "PACKAGED"; length: number }
  | { name: "RECV_BITMAP"; block: string }
  | { name: string };

export function commandDetails(rec: CommandRecord): CommandDetails {
  const r = new ByteReader(rec.data);
  switch (rec.command) {
    case MIG_CMD.PING:
      return { name: "PING", value: r.u32() };
    case MIG_CMD.POSTCOPY_ADVISE:
      return rec.data.length === 16
        ? { name: "POSTCOPY_ADVISE", pageSizeSummary: r.u64(), targetPageSize: r.u64() }
        : { name: "POSTCOPY_ADVISE" };
    case MIG_CMD.POSTCOPY_RAM_DISCARD: {
      r.u8();
      const block = r.countedString();
      r.u8();
      const ranges: RamDiscardRange[] = [];
      while (r.remaining >= 16) ranges.push({ start: r.u64(), length: r.u64() });
      return { name: "POSTCOPY_RAM_DISCARD", block, ranges };
    }
    case MIG_CMD.PACKAGED:
      return { name: "PACKAGED", length: r.u32() };
    case MIG_CMD.RECV_BITMAP:
      return { name: "RECV_BITMAP", block: r.countedString() };
    default:
      return { name: rec.name };
  }
}

/** Builds a command record (`packaged` for PACKAGED: the nested records). */
export function makeCommandRecord(name: CommandName, data: Uint8Array = new Uint8Array(0), offset = 0): CommandRecord {
  const command = MIG_CMD[name];
  checkCommand(command, data, offset);
  return { kind: "command", offset, command, name, data };
}

/** Payload builders for the commands that have one. */
export const commandPayload = {
  ping: (value: number) => new ByteWriter(4).u32(value).finish(),
  postcopyAdvise: (pageSizeSummary: bigint, targetPageSize: bigint) =>
    new ByteWriter(16).u64(pageSizeSummary).u64(targetPageSize).finish(),
  ramDiscard(block: string, ranges: readonly RamDiscardRange[]) {
    const w = new ByteWriter(32).u8(0).countedString(block).u8(0);
    for (const range of ranges) w.u64(range.start).u64(range.length);
    return w.finish();
  },
  packaged: (length: number) => new ByteWriter(4).u32(length).finish(),
  recvBitmap: (block: string) => new ByteWriter(16).countedString(block).finish(),
};
