import { afterEach, describe, expect, it } from "vitest";
import { createMachine } from "../backends.js";
import { MemoryOutputChannel } from "../channel.js";
import type { Machine } from "../machine.js";
import { nodeBackends } from "../node/node-backends.js";

const machines: Machine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.destroy();
});

describe("a live snapshot's pause at T0", () => {
  it("ends before the guest's first step: the resumed guest runs from the event loop, not inside the pause", async () => {
    // a guest writing fast enough that work is always due when it resumes
    const m = createMachine({ memory: 8 << 20, guest: { seed: 3, fill: 1 << 20, pacing: { rate: 1 << 30 } } }, nodeBackends());
    machines.push(m);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = m.guest.state.steps;
    expect(before).toBeGreaterThan(0);
    const seen: { event: string; steps: number }[] = [];
    m.events.on((e) => {
      if (e.event === "STOP" || e.event === "RESUME") seen.push({ event: e.event, steps: m.guest.state.steps });
    });
    m.setCapabilities([{ capability: "background-snapshot", state: true }]);
    const migration = m.migrate(new MemoryOutputChannel());
    await migration.done;
    expect(migration.status).toBe("completed");
    const [stop, resume] = seen;
    expect(stop?.event).toBe("STOP");
    expect(resume?.event).toBe("RESUME");
    // nothing ran between the pause and the resume being complete
    expect(resume!.steps).toBe(stop!.steps);
    // and the guest runs on
    expect(m.runState.state).toBe("running");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(m.guest.state.steps).toBeGreaterThan(resume!.steps);
    expect(migration.pauseMs).toBeGreaterThan(0);
  });
});
