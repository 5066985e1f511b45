import { describe, expect, it } from "vitest";
import { canTransition, RunStateError, RunStateMachine } from "./run-state.js";

describe("RunStateMachine", () => {
  it("follows QEMU's permitted transitions and refuses the rest", () => {
    const rs = new RunStateMachine();
    expect(rs.state).toBe("prelaunch");
    rs.set("running");
    rs.set("finish-migrate");
    rs.set("postmigrate");
    rs.set("running");
    expect(rs.running).toBe(true);
    expect(() => rs.set("inmigrate")).toThrow(RunStateError);
    expect(() => rs.set("inmigrate")).toThrow("invalid runstate transition: 'running' -> 'inmigrate'");
    expect(rs.state).toBe("running");
  });

  it("treats setting the current state as a no-op without notifying", () => {
    const rs = new RunStateMachine("paused");
    const seen: string[] = [];
    rs.onChange((s, prev) => seen.push(`${prev}->${s}`));
    rs.set("paused");
    rs.set("running");
    expect(seen).toEqual(["paused->running"]);
  });

  it("knows save-vm only returns to running and restore-vm to running or prelaunch", () => {
    expect(canTransition("save-vm", "running")).toBe(true);
    expect(canTransition("save-vm", "paused")).toBe(false);
    expect(canTransition("restore-vm", "prelaunch")).toBe(true);
    expect(canTransition("paused", "restore-vm")).toBe(false);
  });

  it("describes itself as HMP info status does", () => {
    const rs = new RunStateMachine();
    expect(rs.describe()).toBe("VM status: paused (prelaunch)");
    rs.set("running");
    expect(rs.describe()).toBe("VM status: running");
    rs.set("paused");
    expect(rs.describe()).toBe("VM status: paused");
  });
});
