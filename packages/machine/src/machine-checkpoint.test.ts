import { describe, expect, it } from "vitest";
import { MemoryOutputChannel, memoryInputChannel } from "./channel.js";
import { logMachine } from "./test-support/machines.js";
import { RecordLogCodec } from "./test-support/record-log-codec.js";

describe("Machine.loadCheckpoint (cprload)", () => {
  it("loads into a machine started stopped, and runs the guest on when it ran at the checkpoint", async () => {
    const codec = new RecordLogCodec();
    const src = logMachine({ startPaused: false, guest: { seed: 4 } }, codec);
    src.step(12);
    const out = new MemoryOutputChannel();
    await src.migrate(out).done;
    const dst = logMachine({ startPaused: true, guest: { seed: 77 } }, codec);
    expect(dst.runState.state).toBe("prelaunch");
    await dst.loadCheckpoint(memoryInputChannel(out.bytes()));
    expect(dst.runState.state).toBe("running");
    dst.stop();
    expect(await dst.digest()).toEqual(await src.digest());
    dst.cont();
    await expect(dst.loadCheckpoint(memoryInputChannel(out.bytes()))).rejects.toThrow("cprload called for a running VM");
    src.destroy();
    dst.destroy();
  });

  it("refuses a checkpoint without a memory file to keep RAM in", () => {
    const m = logMachine();
    expect(() => m.checkpoint(new MemoryOutputChannel())).toThrow("keeps guest RAM in a memory file, and this machine has none");
    m.destroy();
  });
});
