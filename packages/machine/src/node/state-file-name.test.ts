import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HmpRegistry, QmpRegistry } from "@savevm/qmp";
import { createMachine } from "../backends.js";
import { registerMachineCommands } from "../monitor/qmp-commands.js";
import { nodeBackends } from "./node-backends.js";
import { NodeMonitorChannels } from "./node-monitor-channels.js";
import { parseStateFileName, type StateFileTarget } from "./state-file-name.js";

const dir = mkdtempSync(join(tmpdir(), "savevm-state-name-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("device-state file names", () => {
  it("fd:NAME is a getfd descriptor, other letters: prefixes are reserved, relative names resolve against the state directory", () => {
    const cases: [string, string, StateFileTarget][] = [
      ["fd:mig", "/base", { kind: "fd", name: "mig" }],
      ["/abs/x:y", "/base", { kind: "path", path: "/abs/x:y" }],
      ["./file:x", "/base", { kind: "path", path: "/base/file:x" }],
      ["sub/dev.state", "/base", { kind: "path", path: "/base/sub/dev.state" }],
      ["../up.state", "/base/dir", { kind: "path", path: "/base/up.state" }],
    ];
    for (const [name, baseDir, expected] of cases) expect(parseStateFileName(name, baseDir), name).toEqual(expected);
    expect(() => parseStateFileName("file:x", "/base")).toThrow(
      "Parameter 'filename': 'file:' is a reserved prefix (only fd:NAME is understood); use ./file:x or an absolute path to mean a file of that name",
    );
    expect(() => parseStateFileName("C:dev.state", "/base", "file")).toThrow("Parameter 'file': 'C:' is a reserved prefix");
    expect(() => parseStateFileName("fd:", "/base")).toThrow("expects fd:NAME");
    expect(() => parseStateFileName("", "/base")).toThrow("expects a file name or fd:NAME");
  });

  it("xen-save-devices-state / xen-load-devices-state follow the rule", async () => {
    const machine = createMachine({ memory: 1 << 20, startPaused: true }, nodeBackends());
    machine.start();
    const channels = new NodeMonitorChannels({ baseDir: dir });
    const registry = registerMachineCommands(new QmpRegistry(), machine, {
      channels,
      hmp: new HmpRegistry(),
    });
    const run = async (name: string, args: Record<string, unknown>): Promise<unknown> =>
      registry.getCommand(name)!.handler(args as never, { takeFd: () => undefined } as never);

    await run("xen-save-devices-state", { filename: "devices.state" });
    expect(readFileSync(join(dir, "devices.state")).subarray(0, 4).toString("latin1")).toBe("QEVM");
    await run("xen-load-devices-state", { filename: "devices.state" });

    const fdPath = join(dir, "by-fd.state");
    const fd = openSync(fdPath, "w", 0o600);
    channels.addFd("devstate", fd);
    await run("xen-save-devices-state", { filename: "fd:devstate" });
    expect(readFileSync(fdPath).subarray(0, 4).toString("latin1")).toBe("QEVM");
    // Consumed, as migrate fd:NAME consumes it.
    await expect(run("xen-save-devices-state", { filename: "fd:devstate" })).rejects.toThrow(
      "File descriptor named 'devstate' has not been found",
    );
    expect(() => closeSync(fd)).toThrow();

    await expect(run("xen-save-devices-state", { filename: "file:devices.state" })).rejects.toThrow("use ./file:devices.state");
    expect(existsSync(join(dir, "file:devices.state"))).toBe(false);
    machine.destroy();
  });
});
