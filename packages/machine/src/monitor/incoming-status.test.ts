import { describe, expect, it } from "vitest";
import { memoryInputChannel, type InputChannel } from "../channel.js";
import type { Machine } from "../machine.js";
import { logMachine } from "../test-support/machines.js";
import { startIncoming } from "./incoming-runner.js";
import type { MonitorChannels, PreparedInput } from "./monitor-channels.js";

/** Channels whose next incoming attempts are scripted: each `prepareInput` takes the next one. */
function scriptedChannels(attempts: PreparedInput[]): MonitorChannels {
  const unused = (): never => {
    throw new Error("not used here");
  };
  return {
    prepareOutput: unused,
    prepareInput: async () => attempts.shift() ?? unused(),
    openFileOutput: unused,
    openFileInput: unused,
    addFd: unused,
    closeFd: unused,
  };
}

async function settle(machine: Machine, status: string): Promise<void> {
  for (let i = 0; i < 100 && machine.queryMigrate().status !== status; i++) await new Promise((r) => setTimeout(r, 5));
}

const LISTENING: PreparedInput = {
  accept: () => new Promise<InputChannel>(() => undefined),
  socketAddress: { type: "inet", host: "127.0.0.1", port: "4444" },
};

describe("query-migrate after a new migrate-incoming", () => {
  it("shows the new attempt, not the stream that failed to load before it", async () => {
    const machine = logMachine({ incoming: true });
    const channels = scriptedChannels([
      {
        accept: async () => memoryInputChannel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])),
      },
      LISTENING,
    ]);
    await startIncoming(machine, channels, "fd:first");
    await settle(machine, "failed");
    expect(machine.queryMigrate().status).toBe("failed");
    await startIncoming(machine, channels, "tcp:127.0.0.1:4444");
    expect(machine.queryMigrate()).toEqual({
      status: "setup",
      "socket-address": [LISTENING.socketAddress],
    });
    machine.destroy();
  });

  it("shows the new attempt, not a source that could not be reached before it", async () => {
    const machine = logMachine({ incoming: true });
    const channels = scriptedChannels([
      {
        accept: () => Promise.reject(new Error("Could not open 'gone.state'")),
      },
      LISTENING,
    ]);
    await startIncoming(machine, channels, "file:gone.state");
    await settle(machine, "failed");
    expect(machine.queryMigrate()).toEqual({
      status: "failed",
      "error-desc": "Could not open 'gone.state'",
    });
    await startIncoming(machine, channels, "tcp:127.0.0.1:4444");
    expect(machine.queryMigrate()).toEqual({
      status: "setup",
      "socket-address": [LISTENING.socketAddress],
    });
    machine.destroy();
  });
});
