import { describe, expect, it } from "vitest";
import { REG } from "./serial-16550-core.js";
import { Serial16550 } from "./serial-16550.js";

describe("Serial16550", () => {
  it("transmits FIFO bytes one per tick, in order, and reports an empty transmitter after", () => {
    const uart = new Serial16550();
    const out: number[] = [];
    uart.output = (b) => out.push(b);
    uart.write(REG.IIR_FCR, 0x07);
    for (const c of "hi!") uart.write(REG.RBR_THR_DLL, c.charCodeAt(0));
    expect(uart.read(REG.LSR) & 0x60).toBe(0);
    for (let i = 0; i < 5; i++) uart.tick();
    expect(String.fromCharCode(...out)).toBe("hi!");
    expect(uart.read(REG.LSR) & 0x60).toBe(0x60);
  });

  it("queues received bytes in the FIFO and flags overrun when it is full", () => {
    const uart = new Serial16550();
    uart.write(REG.IIR_FCR, 0x01);
    for (let i = 0; i < 17; i++) uart.receive(0x30 + i);
    const lsr = uart.read(REG.LSR);
    expect(lsr & 0x01).toBe(1);
    expect(lsr & 0x02).toBe(2);
    const got: number[] = [];
    while (uart.read(REG.LSR) & 0x01) got.push(uart.read(REG.RBR_THR_DLL));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => 0x30 + i));
  });

  it("latches the divisor behind DLAB and raises the receive interrupt when enabled", () => {
    const uart = new Serial16550();
    uart.write(REG.LCR, 0x80);
    uart.write(REG.RBR_THR_DLL, 0x01);
    uart.write(REG.IER_DLM, 0x00);
    uart.write(REG.LCR, 0x03);
    expect(uart.state.divider).toBe(1);
    uart.write(REG.IER_DLM, 0x01);
    uart.receive(0x41);
    expect(uart.read(REG.IIR_FCR) & 0x0f).toBe(0x04);
  });

  it("saves and loads its state, FIFOs included", () => {
    const a = new Serial16550();
    a.write(REG.IIR_FCR, 0x07);
    a.write(REG.RBR_THR_DLL, 0x55);
    a.receive(0x66);
    const b = new Serial16550();
    const saved = a.saveState();
    b.validateState(saved);
    b.loadState(saved, 3);
    expect(b.state).toEqual(a.state);
  });

  it("refuses a FIFO whose head is out of range", () => {
    const a = new Serial16550();
    const s = a.saveState();
    s["serial/recv_fifo"] = { recv_fifo: { data: new Uint8Array(16), head: 99, num: 0 } };
    expect(() => a.validateState(s)).toThrow("recv_fifo head 99");
  });
});
