import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logMachine } from "../test-support/machines.js";
import { failAfter } from "../test-support/failing-channel.js";
import { RecordLogCodec } from "../test-support/record-log-codec.js";
import { NodeChannels } from "./channels.js";
import { FileOutputChannel, openFileInput } from "./file-channel.js";
import { parseMigrationUri } from "./migration-uri.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-machine-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("migration URIs", () => {
  it("parses the schemes QEMU knows plus file:", () => {
    expect(parseMigrationUri("file:/tmp/x,offset=4096", "incoming")).toEqual({ kind: "file", path: "/tmp/x", offset: 4096 });
    expect(parseMigrationUri("unix:/run/s", "outgoing")).toEqual({ kind: "unix", path: "/run/s" });
    expect(parseMigrationUri("tcp:127.0.0.1:4444", "outgoing")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 4444 });
    expect(parseMigrationUri("tcp:[::1]:4444", "outgoing")).toEqual({ kind: "tcp", host: "::1", port: 4444 });
    expect(parseMigrationUri("fd:migrate", "outgoing")).toEqual({ kind: "fd", name: "migrate" });
    expect(parseMigrationUri("exec:cat > /dev/null", "outgoing")).toEqual({ kind: "exec", command: "cat > /dev/null" });
  });

  it("refuses others with QEMU's messages", () => {
    expect(() => parseMigrationUri("bogus:1", "outgoing")).toThrow("Parameter 'uri' expects a valid migration protocol");
    expect(() => parseMigrationUri("bogus:1", "incoming")).toThrow("unknown migration protocol: bogus:1");
    expect(() => parseMigrationUri("tcp:host", "outgoing")).toThrow("Parameter 'uri' expects a valid migration protocol");
  });

  it("keeps exec: off unless allowed, and wants getfd names for outgoing fd:", () => {
    expect(() => new NodeChannels().prepareOutput("exec:true")).toThrow("exec: migration is disabled");
    expect(() => new NodeChannels().prepareOutput("fd:3")).toThrow("File descriptor named '3' has not been found");
    expect(() => new NodeChannels().closeFd("x")).toThrow("File descriptor named 'x' not found");
  });
});

describe("file channel", () => {
  it("writes under a temporary name and renames on success", async () => {
    const path = join(dir, "state.mig");
    const m = logMachine();
    const channel = new FileOutputChannel(path);
    const migration = m.migrate(channel);
    await migration.done;
    expect(migration.status).toBe("completed");
    expect(readdirSync(dir)).toEqual(["state.mig"]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const input = await openFileInput(path);
    const dst = logMachine({ incoming: true });
    await dst.incoming(input);
    expect(await dst.digest()).toEqual(await m.digest());
  });

  it("a save failing at a random byte leaves the previous file intact and no partial file", async () => {
    const path = join(dir, "state.mig");
    writeFileSync(path, "previous good save");
    const m = logMachine({ startPaused: false, guest: { pacing: { rate: 1 << 20 } } });
    m.populate();
    for (const failAt of [1, 100, 5000 + Math.floor(Math.random() * 50000)]) {
      const channel = failAfter(new FileOutputChannel(path), failAt);
      const migration = m.migrate(channel);
      await migration.done;
      expect(migration.status).toBe("failed");
      expect(migration.error).toContain("No space left on device");
      expect(m.runState.state).toBe("running");
      expect(readdirSync(dir)).toEqual(["state.mig"]);
      expect(readFileSync(path, "utf8")).toBe("previous good save");
    }
    m.destroy();
  });

  it("a cancelled save leaves no file", async () => {
    const path = join(dir, "cancel.mig");
    const m = logMachine({ memory: 4 << 20, startPaused: false, guest: { pacing: { rate: 1 << 20 } } });
    m.populate();
    m.setParameters({ "max-bandwidth": 1 << 20 });
    const migration = m.migrate(new FileOutputChannel(path));
    await new Promise((r) => setTimeout(r, 120));
    m.cancelMigration();
    await migration.done;
    expect(migration.status).toBe("cancelled");
    expect(readdirSync(dir)).toEqual([]);
    m.destroy();
  });
});

describe("socket channels", () => {
  for (const scheme of ["unix", "tcp"] as const) {
    it(`migrates between two machines over ${scheme}`, async () => {
      const codec = new RecordLogCodec();
      const uri = scheme === "unix" ? `unix:${join(dir, "mig.sock")}` : "tcp:127.0.0.1:0";
      const src = logMachine({ startPaused: false, guest: { pacing: { rate: 1 << 20 } } }, codec);
      src.populate();
      const dst = logMachine({ incoming: true }, codec);
      const channels = new NodeChannels();
      const prepared = await channels.prepareInput(uri);
      const address = prepared.listener!.address;
      if (address.kind === "unix") expect(statSync(address.path).mode & 0o777).toBe(0o600);
      const target = address.kind === "unix" ? `unix:${address.path}` : `tcp:127.0.0.1:${address.port}`;
      const loaded = prepared.accept().then((input) => dst.incoming(input));
      const migration = src.migrate(channels.prepareOutput(target));
      await migration.done;
      await loaded;
      expect(migration.status).toBe("completed");
      expect(await dst.digest()).toEqual(await src.digest());
      src.destroy();
    });
  }

  it("reports a refused connection through the migration status", async () => {
    const m = logMachine();
    const migration = m.migrate(new NodeChannels().prepareOutput(`unix:${join(dir, "nobody.sock")}`));
    await migration.done;
    expect(m.queryMigrate()).toEqual({
      status: "failed",
      "error-desc": `Failed to connect to '${join(dir, "nobody.sock")}': No such file or directory`,
    });
  });
});
