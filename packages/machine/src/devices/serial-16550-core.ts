/**
 * Register-level behaviour of a 16550A UART: divisor latch, interrupt identification, line
 * status, and the 16-byte receive and transmit FIFOs. The state is a plain object so the
 * device's vmstate description can save and load it as data.
 */
export const FIFO_SIZE = 16;

export interface Fifo {
  data: Uint8Array;
  head: number;
  num: number;
}

export interface SerialState {
  divider: number;
  rbr: number;
  thr: number;
  ier: number;
  iir: number;
  lcr: number;
  mcr: number;
  lsr: number;
  msr: number;
  scr: number;
  fcr: number;
  /** Transmit shift register, and whether it holds a byte being sent. */
  tsr: number;
  tsrFull: boolean;
  recv: Fifo;
  xmit: Fifo;
}

// Register offsets and bits of the 8250/16550 family.
export const REG = { RBR_THR_DLL: 0, IER_DLM: 1, IIR_FCR: 2, LCR: 3, MCR: 4, LSR: 5, MSR: 6, SCR: 7 } as const;
const LCR_DLAB = 0x80;
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IIR_NO_INT = 0x01;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_FIFO_ENABLED = 0xc0;
const FCR_FE = 0x01;
const FCR_RFR = 0x02;
const FCR_XFR = 0x04;
const MSR_DCD_DSR_CTS = 0xb0;

export function emptyFifo(): Fifo {
  return { data: new Uint8Array(FIFO_SIZE), head: 0, num: 0 };
}

export function initialSerialState(): SerialState {
  return {
    divider: 12,
    rbr: 0,
    thr: 0,
    ier: 0,
    iir: IIR_NO_INT,
    lcr: 0,
    mcr: 0x08,
    lsr: LSR_TEMT | LSR_THRE,
    msr: MSR_DCD_DSR_CTS,
    scr: 0,
    fcr: 0,
    tsr: 0,
    tsrFull: false,
    recv: emptyFifo(),
    xmit: emptyFifo(),
  };
}

function fifoPush(f: Fifo, byte: number): boolean {
  if (f.num >= FIFO_SIZE) return false;
  f.data[(f.head + f.num) % FIFO_SIZE] = byte & 0xff;
  f.num++;
  return true;
}

function fifoPop(f: Fifo): number {
  if (f.num === 0) return 0;
  const byte = f.data[f.head] ?? 0;
  f.head = (f.head + 1) % FIFO_SIZE;
  f.num--;
  return byte;
}

function fifoReset(f: Fifo): void {
  f.data.fill(0);
  f.head = 0;
  f.num = 0;
}

function fifoEnabled(s: SerialState): boolean {
  return (s.fcr & FCR_FE) !== 0;
}

function updateIir(s: SerialState): void {
  let iir = IIR_NO_INT;
  if ((s.ier & IER_RDI) && (s.lsr & LSR_DR)) iir = IIR_RDI;
  else if ((s.ier & IER_THRI) && (s.lsr & LSR_THRE)) iir = IIR_THRI;
  s.iir = iir | (fifoEnabled(s) ? IIR_FIFO_ENABLED : 0);
}

/** A guest (or test) write to register `offset`. */
export function serialWrite(s: SerialState, offset: number, value: number): void {
  value &= 0xff;
  const dlab = (s.lcr & LCR_DLAB) !== 0;
  switch (offset & 7) {
    case REG.RBR_THR_DLL:
      if (dlab) {
        s.divider = (s.divider & 0xff00) | value;
      } else if (fifoEnabled(s)) {
        // A full FIFO drops the byte, as the hardware does.
        fifoPush(s.xmit, value);
        s.lsr &= ~(LSR_THRE | LSR_TEMT);
      } else {
        s.thr = value;
        s.lsr &= ~(LSR_THRE | LSR_TEMT);
      }
      break;
    case REG.IER_DLM:
      if (dlab) s.divider = (s.divider & 0x00ff) | (value << 8);
      else s.ier = value & 0x0f;
      break;
    case REG.IIR_FCR:
      if (value & FCR_RFR) {
        fifoReset(s.recv);
        s.lsr &= ~(LSR_DR | LSR_OE);
      }
      if (value & FCR_XFR) {
        fifoReset(s.xmit);
        if (!s.tsrFull) s.lsr |= LSR_THRE | LSR_TEMT;
      }
      s.fcr = value & 0xc9;
      break;
    case REG.LCR:
      s.lcr = value;
      break;
    case REG.MCR:
      s.mcr = value & 0x1f;
      break;
    case REG.LSR:
      break;
    case REG.MSR:
      break;
    case REG.SCR:
      s.scr = value;
      break;
  }
  updateIir(s);
}

/** A guest read of register `offset`; reading RBR consumes a received byte. */
export function serialRead(s: SerialState, offset: number): number {
  const dlab = (s.lcr & LCR_DLAB) !== 0;
  let value = 0;
  switch (offset & 7) {
    case REG.RBR_THR_DLL:
      if (dlab) {
        value = s.divider & 0xff;
      } else if (fifoEnabled(s)) {
        value = fifoPop(s.recv);
        if (s.recv.num === 0) s.lsr &= ~LSR_DR;
      } else {
        value = s.rbr;
        s.lsr &= ~LSR_DR;
      }
      break;
    case REG.IER_DLM:
      value = dlab ? (s.divider >> 8) & 0xff : s.ier;
      break;
    case REG.IIR_FCR:
      value = s.iir;
      break;
    case REG.LCR:
      value = s.lcr;
      break;
    case REG.MCR:
      value = s.mcr;
      break;
    case REG.LSR:
      value = s.lsr;
      s.lsr &= ~LSR_OE;
      break;
    case REG.MSR:
      value = s.msr;
      break;
    case REG.SCR:
      value = s.scr;
      break;
  }
  updateIir(s);
  return value;
}

/** A byte arriving on the line from the host side. */
export function serialReceive(s: SerialState, byte: number): void {
  if (fifoEnabled(s)) {
    if (!fifoPush(s.recv, byte)) s.lsr |= LSR_OE;
  } else {
    if (s.lsr & LSR_DR) s.lsr |= LSR_OE;
    s.rbr = byte & 0xff;
  }
  s.lsr |= LSR_DR;
  updateIir(s);
}

/**
 * One character time: the shift register finishes its byte (returned, for the host side) and
 * takes the next one from the FIFO or THR. Driven by the machine's virtual clock, so output
 * timing is part of the deterministic guest.
 */
export function serialTick(s: SerialState): number | undefined {
  let sent: number | undefined;
  if (s.tsrFull) {
    sent = s.tsr;
    s.tsrFull = false;
  }
  if (fifoEnabled(s) ? s.xmit.num > 0 : (s.lsr & LSR_THRE) === 0) {
    s.tsr = fifoEnabled(s) ? fifoPop(s.xmit) : s.thr;
    s.tsrFull = true;
  }
  const bufferEmpty = fifoEnabled(s) ? s.xmit.num === 0 : true;
  if (bufferEmpty) s.lsr |= LSR_THRE;
  if (bufferEmpty && !s.tsrFull) s.lsr |= LSR_TEMT;
  updateIir(s);
  return sent;
}
