import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DeterministicGuest, initialGuestState, PAGE_SIZE, type WritableRam } from "./guest.js";
import { parseGuestOptions, parseSize } from "./workload.js";

function ram(pages: number): WritableRam & { bytes: Uint8Array; writes: number[] } {
  const bytes = new Uint8Array(pages * PAGE_SIZE);
  const writes: number[] = [];
  return {
    bytes,
    writes,
    pageCount: pages,
    writablePage(p) {
      writes.push(p);
      return bytes.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
    },
  };
}

describe("DeterministicGuest", () => {
  it("writes the same RAM when run from a copy of its state", () => {
    const a = new DeterministicGuest(initialGuestState(42));
    const ramA = ram(64);
    a.step(ramA);
    a.step(ramA);
    const b = new DeterministicGuest(structuredClone(a.state));
    const ramB = ram(64);
    ramB.bytes.set(ramA.bytes);
    for (let i = 0; i < 20; i++) {
      a.step(ramA);
      b.step(ramB);
    }
    expect(Buffer.from(ramB.bytes).equals(Buffer.from(ramA.bytes))).toBe(true);
    expect(b.state).toEqual(a.state);
  });

  it("passes every write through the barrier and stays inside RAM", () => {
    const g = new DeterministicGuest(initialGuestState(7));
    const r = ram(10);
    for (let i = 0; i < 10; i++) g.step(r);
    expect(r.writes.length).toBe(10 * g.state.workload.pagesPerStep);
    expect(r.writes.every((p) => p >= 0 && p < 10)).toBe(true);
    expect(g.state.steps).toBe(10);
  });

  it("keeps writes in the hot set when hot is 100%", () => {
    const state = initialGuestState(3);
    state.workload = { ...state.workload, hotPercent: 100, hotStart: 8, hotPages: 4 };
    const g = new DeterministicGuest(state);
    const r = ram(64);
    for (let i = 0; i < 20; i++) g.step(r);
    expect(r.writes.every((p) => p >= 8 && p < 12)).toBe(true);
  });

  it("produces the kinds of pages the mix asks for", () => {
    const state = initialGuestState(5);
    state.workload = { ...state.workload, mix: { zero: 0, uniform: 1, duplicate: 0, random: 0 } };
    const g = new DeterministicGuest(state);
    const r = ram(128);
    g.fill(r, 0, 128);
    for (let p = 0; p < 128; p++) {
      const page = r.bytes.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
      expect(page[0]).not.toBe(0);
      expect(page.every((b) => b === page[0])).toBe(true);
    }
  });

  it("for any seed, a restored copy continues identically", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 30 }), (seed, steps) => {
        const a = new DeterministicGuest(initialGuestState(seed));
        const ra = ram(16);
        for (let i = 0; i < steps; i++) a.step(ra);
        const b = new DeterministicGuest(structuredClone(a.state));
        const rb = ram(16);
        rb.bytes.set(ra.bytes);
        a.step(ra);
        b.step(rb);
        expect(Buffer.compare(Buffer.from(ra.bytes), Buffer.from(rb.bytes))).toBe(0);
      }),
      { numRuns: 50 },
    );
  });
});

describe("guest options", () => {
  it("parses rate, mix, hot set, patterns and seed", () => {
    const o = parseGuestOptions("rate=50M,mix=zero:50/uniform:10/dup:15/random:25,hot=30:1024,hot-start=16,patterns=8,seed=9");
    expect(o.pacing.rate).toBe(50 * 1024 * 1024);
    expect(o.workload.mix).toEqual({ zero: 50, uniform: 10, duplicate: 15, random: 25 });
    expect(o.workload.hotPercent).toBe(30);
    expect(o.workload.hotPages).toBe(1024);
    expect(o.workload.hotStart).toBe(16);
    expect(o.workload.duplicatePatterns).toBe(8);
    expect(o.seed).toBe(9);
  });

  it("refuses unknown keys, bad mixes and bad sizes with a message naming the problem", () => {
    expect(() => parseGuestOptions("speed=1")).toThrow("Unknown guest option 'speed'");
    expect(() => parseGuestOptions("mix=zero:0")).toThrow("at least one weight");
    expect(() => parseGuestOptions("mix=blue:3")).toThrow("Invalid guest mix item 'blue:3'");
    expect(() => parseSize("12Q")).toThrow("Invalid size '12Q'");
    expect(parseSize("1G")).toBe(2 ** 30);
  });
});
