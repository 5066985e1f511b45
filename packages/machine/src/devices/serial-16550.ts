import { MachineError } from "../errors.js";
import type { VMStateDescription } from "../save/vmstate.js";
import type { Device } from "./device.js";
import {
  FIFO_SIZE,
  initialSerialState,
  serialRead,
  serialReceive,
  serialTick,
  serialWrite,
  type Fifo,
  type SerialState,
} from "./serial-16550-core.js";
import { bytes, num, record } from "./state-values.js";

const FIFO_VMSD: VMStateDescription = {
  name: "fifo8",
  version_id: 1,
  minimum_version_id: 1,
  fields: [
    { name: "data", type: "buffer", size: FIFO_SIZE },
    { name: "head", type: "uint32" },
    { name: "num", type: "uint32" },
  ],
};

/** Layout of the UART's section: registers, then the shift register and FIFOs when in use. */
export const SERIAL_VMSD: VMStateDescription = {
  name: "serial",
  version_id: 3,
  minimum_version_id: 2,
  fields: [
    { name: "divider", type: "uint16", version_id: 2 },
    { name: "rbr", type: "uint8" },
    { name: "ier", type: "uint8" },
    { name: "iir", type: "uint8" },
    { name: "lcr", type: "uint8" },
    { name: "mcr", type: "uint8" },
    { name: "lsr", type: "uint8" },
    { name: "msr", type: "uint8" },
    { name: "scr", type: "uint8" },
    { name: "fcr", type: "uint8", version_id: 3 },
  ],
  subsections: [
    {
      name: "serial/thr",
      version_id: 1,
      minimum_version_id: 1,
      fields: [
        { name: "thr", type: "uint8" },
        { name: "tsr", type: "uint8" },
        { name: "tsr_full", type: "bool" },
      ],
    },
    {
      name: "serial/recv_fifo",
      version_id: 1,
      minimum_version_id: 1,
      fields: [{ name: "recv_fifo", type: "struct", struct: FIFO_VMSD }],
    },
    {
      name: "serial/xmit_fifo",
      version_id: 1,
      minimum_version_id: 1,
      fields: [{ name: "xmit_fifo", type: "struct", struct: FIFO_VMSD }],
    },
  ],
};

function fifoInUse(f: Fifo): boolean {
  return f.num !== 0 || f.head !== 0;
}

function fifoOut(f: Fifo): Record<string, unknown> {
  return { data: f.data.slice(), head: f.head, num: f.num };
}

function sub(state: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  return name in state ? record(state, name, "serial") : undefined;
}

function fifoIn(state: Record<string, unknown>, name: string, field: string): Fifo {
  const s = sub(state, name);
  if (!s) return { data: new Uint8Array(FIFO_SIZE), head: 0, num: 0 };
  const r = record(s, field, "serial");
  return { data: bytes(r, "data", "serial").slice(), head: num(r, "head", "serial"), num: num(r, "num", "serial") };
}

/** A 16550A UART. Bytes it transmits go to `output` (if set), one per guest step. */
export class Serial16550 implements Device {
  readonly idstr = "serial";
  readonly vmsd = SERIAL_VMSD;
  readonly instanceId: number;
  state: SerialState = initialSerialState();
  output: ((byte: number) => void) | undefined;

  constructor(instanceId = 0) {
    this.instanceId = instanceId;
  }

  write(offset: number, value: number): void {
    serialWrite(this.state, offset, value);
  }

  read(offset: number): number {
    return serialRead(this.state, offset);
  }

  /** A byte from the host side of the line. */
  receive(byte: number): void {
    serialReceive(this.state, byte);
  }

  tick(): void {
    const sent = serialTick(this.state);
    if (sent !== undefined) this.output?.(sent);
  }

  reset(): void {
    this.state = initialSerialState();
  }

  saveState(): Record<string, unknown> {
    const s = this.state;
    const out: Record<string, unknown> = {
      divider: s.divider,
      rbr: s.rbr,
      ier: s.ier,
      iir: s.iir,
      lcr: s.lcr,
      mcr: s.mcr,
      lsr: s.lsr,
      msr: s.msr,
      scr: s.scr,
      fcr: s.fcr,
    };
    // Subsections go out only when they carry something, as QEMU's `needed` decides.
    if (s.tsrFull || s.thr !== 0) out["serial/thr"] = { thr: s.thr, tsr: s.tsr, tsr_full: s.tsrFull };
    if (fifoInUse(s.recv)) out["serial/recv_fifo"] = { recv_fifo: fifoOut(s.recv) };
    if (fifoInUse(s.xmit)) out["serial/xmit_fifo"] = { xmit_fifo: fifoOut(s.xmit) };
    return out;
  }

  validateState(state: Record<string, unknown>): void {
    for (const [name, field] of [
      ["serial/recv_fifo", "recv_fifo"],
      ["serial/xmit_fifo", "xmit_fifo"],
    ] as const) {
      const f = fifoIn(state, name, field);
      if (f.head >= FIFO_SIZE || f.num > FIFO_SIZE) {
        throw new MachineError("BAD_DEVICE_STATE", `serial: ${field} head ${f.head} / num ${f.num} out of range for a ${FIFO_SIZE}-byte FIFO`, {
          section: "serial",
        });
      }
    }
  }

  loadState(state: Record<string, unknown>, versionId: number): void {
    const n = (f: string): number => num(state, f, "serial");
    const thr = sub(state, "serial/thr");
    this.state = {
      // Version 2 added the divider, version 3 the FIFO control register; older streams get defaults.
      divider: versionId >= 2 ? n("divider") : 12,
      rbr: n("rbr"),
      ier: n("ier"),
      iir: n("iir"),
      lcr: n("lcr"),
      mcr: n("mcr"),
      lsr: n("lsr"),
      msr: n("msr"),
      scr: n("scr"),
      fcr: versionId >= 3 ? n("fcr") : 0,
      thr: thr ? num(thr, "thr", "serial") : 0,
      tsr: thr ? num(thr, "tsr", "serial") : 0,
      tsrFull: thr ? num(thr, "tsr_full", "serial") !== 0 : false,
      recv: fifoIn(state, "serial/recv_fifo", "recv_fifo"),
      xmit: fifoIn(state, "serial/xmit_fifo", "xmit_fifo"),
    };
  }
}
