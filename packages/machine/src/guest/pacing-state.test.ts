import { describe, expect, it } from "vitest";
import { memoryInputChannel } from "../channel.js";
import { createMachine } from "../backends.js";
import type { Device } from "../devices/device.js";
import { GUEST_CPU_VMSD } from "../devices/guest-cpu.js";
import type { Machine, MachineConfig } from "../machine.js";
import { nodeBackends } from "../node/node-backends.js";
import { savedBytes } from "../test-support/saved-bytes.js";
import { GuestPacer } from "./pacer.js";
import { DEFAULT_WORKLOAD, type GuestWorkload } from "./workload.js";

const WORKLOAD: GuestWorkload = {
  ...DEFAULT_WORKLOAD,
  pagesPerStep: 4,
  mix: { zero: 10, uniform: 20, duplicate: 30, random: 40 },
  hotPercent: 60,
  hotStart: 32,
  hotPages: 24,
  duplicatePatterns: 5,
};
const RATE = 2 << 20;

function machine(config: Partial<MachineConfig>): Machine {
  return createMachine({ memory: 1 << 20, ...config }, nodeBackends());
}

async function until(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!probe()) throw new Error(`timed out waiting for ${what}`);
}

describe("the guest's pacing travels in its vmstate (cpu version 2)", () => {
  it("a destination started without guest options continues the source's guest: same pace, same steps, same digest", async () => {
    const src = machine({
      guest: {
        seed: 21,
        workload: WORKLOAD,
        pacing: { rate: RATE },
        fill: 256 << 10,
      },
    });
    await until(() => src.guest.state.steps >= 5, "the source guest to run");
    src.stop();
    const atSave = src.guest.state.steps;
    const pacing = { ...src.guest.state.pacing };
    const bytes = await savedBytes(src);

    const dst = machine({ incoming: true });
    expect(dst.guestRate).toBe(0);
    await dst.incoming(memoryInputChannel(bytes));
    expect(dst.guestRate).toBe(RATE);
    expect(dst.guest.state.pacing).toEqual(pacing);
    expect(dst.guest.state.workload).toEqual(WORKLOAD);
    // The destination runs the guest on its own (no --guest rate= given to it)...
    dst.cont();
    await until(() => dst.guest.state.steps >= atSave + 8, "the destination guest to run on");
    dst.stop();
    const ran = dst.guest.state.steps - atSave;
    // ... and "migrate, then run N steps there" equals "run N steps here".
    src.step(ran);
    expect(await dst.digest()).toEqual(await src.digest());
    src.destroy();
    dst.destroy();
  });

  it("a version 1 section still loads; the destination keeps the pace it was started with", async () => {
    const src = machine({
      startPaused: true,
      guest: { seed: 8, workload: WORKLOAD, pacing: { rate: RATE } },
    });
    src.step(10);
    const cpu = src.cpu;
    const v1: Device = {
      idstr: "cpu",
      instanceId: 0,
      vmsd: {
        ...GUEST_CPU_VMSD,
        version_id: 1,
        fields: GUEST_CPU_VMSD.fields.filter((f) => f.version_id === undefined),
      },
      saveState: () => cpu.saveState(),
      loadState: () => undefined,
    };
    src.registry.unregister("cpu", 0);
    src.addDevice(v1);
    const bytes = await savedBytes(src);

    const dst = machine({
      incoming: true,
      startPaused: true,
      guest: { pacing: { rate: 12345 } },
    });
    await dst.incoming(memoryInputChannel(bytes));
    expect(dst.guestRate).toBe(12345);
    expect(dst.guest.state.pacing.credit).toBe(0);
    expect(dst.guest.state.steps).toBe(10);
    expect(dst.guest.state.workload).toEqual(WORKLOAD);
    src.destroy();
    dst.destroy();
  });

  it("refuses a pace no guest loop should take from a stream", async () => {
    const src = machine({ startPaused: true });
    src.cpu.guest.state.pacing.rate = 2 ** 41;
    const bytes = await savedBytes(src);
    const dst = machine({ incoming: true, startPaused: true });
    await expect(dst.incoming(memoryInputChannel(bytes))).rejects.toThrow("cpu: pacing (rate 2199023255552, credit 0) out of range");
    src.destroy();
    dst.destroy();
  });
});

/** A pacer over a guest of 1000-byte steps whose clock the test sets. */
function pacedGuest(pacing: { rate: number; credit: number }) {
  const guest = { now: 0, steps: 0 };
  const pacer = new GuestPacer({
    pacing: () => pacing,
    bytesPerStep: () => 1000,
    mayRun: () => true,
    stepFits: () => true,
    step: () => void guest.steps++,
    waitForRoom: async () => undefined,
    now: () => guest.now,
  });
  return { guest, pacer };
}

const aTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe("GuestPacer", () => {
  it("keeps the work accrued before a stop as credit, so the pacing clock resumes where it stopped", async () => {
    const pacing = { rate: 1000, credit: 0 };
    const { guest, pacer } = pacedGuest(pacing);
    pacer.start();
    guest.now = 600;
    pacer.stop();
    expect(pacing.credit).toBe(600);
    guest.now = 60_000;
    pacer.start();
    expect(guest.steps).toBe(0);
    guest.now = 60_500;
    pacer.stop();
    // 600 + 500 bytes: at most one step's worth waits (a burst), the rest of it runs as a step next time.
    expect(pacing.credit).toBe(1000);
    pacer.start();
    await aTick();
    expect(guest.steps).toBe(1);
    expect(pacing.credit).toBe(0);
    pacer.stop();
  });

  it("never runs the guest inside start: the first tick is scheduled, so whoever resumes the guest finishes first", async () => {
    const pacing = { rate: 100_000, credit: 3000 };
    const { guest, pacer } = pacedGuest(pacing);
    pacer.start();
    expect(guest.steps).toBe(0);
    // the wait until the tick accrues like any other time the guest may run
    guest.now = 10;
    await aTick();
    expect(guest.steps).toBe(4);
    expect(pacing.credit).toBe(0);
    pacer.stop();
  });
});
