import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { endUnreapedChildren, unreapedChild } from "../../test-support/unreaped-child.js";
import { MachineRegistry, defaultRuntimeDir, RegistryError, type MachineRecord } from "./index.js";

const BUILT = fileURLToPath(new URL("../../../dist/node/registry/index.js", import.meta.url));

let dir: string;
const children = new Set<ChildProcess>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-registry-"));
});

afterEach(async () => {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await gone;
      }
    })
  );
  children.clear();
  await endUnreapedChildren();
  rmSync(dir, { recursive: true, force: true });
});

/** A process that only sleeps: its pid is what a machine's entry would hold. */
async function sleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.add(child);
  await new Promise((resolve) => child.once("spawn", resolve));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await gone;
}

function entry(name: string, uuid: string, pid: number) {
  return { name, uuid, pid, kind: "savevm" as const, qmp: [`unix:/tmp/${name}.qmp`], state: "running" };
}

/**
 * Runs a child that opens the registry, waits for `go`, registers `name`, prints the outcome
 * and, when it won, stays alive (its entry must stay live while the others check it).
 */
function racer(name: string, uuid: string, go: string): { child: ChildProcess; outcome: Promise<string> } {
  const script = `
    import { existsSync } from "node:fs";
    import { MachineRegistry } from ${JSON.stringify(BUILT)};
    const registry = await MachineRegistry.open({ runtimeDir: ${JSON.stringify(dir)} });
    process.stdout.write("ready\\n");
    while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 1));
    try {
      const r = await registry.register({ name: ${JSON.stringify(name)}, uuid: ${JSON.stringify(
    uuid
  )}, pid: process.pid, kind: "savevm", qmp: [], state: "running" });
      process.stdout.write("won " + r.record.id + "\\n");
      setInterval(() => {}, 1000);
    } catch (e) {
      process.stdout.write("lost " + e.code + " " + e.message + "\\n");
    }`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  let out = "";
  const outcome = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("won") || l.startsWith("lost"));
      if (line) resolve(line);
    });
    child.once("exit", (code) => setTimeout(() => reject(new Error(`racer exited with ${code}: ${out}`)), 50));
  });
  const ready = new Promise<void>((resolve) => child.stdout!.on("data", () => out.includes("ready") && resolve()));
  return { child, outcome: ready.then(() => outcome) };
}

describe("MachineRegistry", () => {
  it("registers, finds by name, UUID or id, updates and unregisters; files 0600 in a 0700 directory", async () => {
    const registry = await MachineRegistry.open({ runtimeDir: join(dir, "run") });
    expect(statSync(registry.dir).mode & 0o777).toBe(0o700);
    const uuid = randomUUID().toUpperCase();
    const machine = await registry.register(entry("tiny", uuid, process.pid));
    expect(machine.record).toMatchObject({ id: 1, name: "tiny", uuid: uuid.toLowerCase(), pid: process.pid, state: "running" });
    expect(Date.parse(machine.record.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    const files = readdirSync(registry.dir).filter((f) => f.startsWith("machine-"));
    expect(files).toEqual(["machine-1.json"]);
    expect(statSync(join(registry.dir, files[0]!)).mode & 0o777).toBe(0o600);

    expect((await registry.find("tiny"))?.id).toBe(1);
    expect((await registry.find(uuid))?.name).toBe("tiny");
    expect((await registry.find("1"))?.name).toBe("tiny");
    expect(await registry.find("other")).toBeUndefined();

    await machine.update({ state: "paused", hmp: "unix:/tmp/tiny.hmp" });
    expect(await registry.list()).toMatchObject([{ name: "tiny", state: "paused", hmp: "unix:/tmp/tiny.hmp" }]);
    // no temporary files are left behind by the rewrites
    expect(readdirSync(registry.dir).filter((f) => f.startsWith(".tmp"))).toEqual([]);

    await machine.unregister();
    await machine.unregister();
    expect(await registry.list()).toEqual([]);
  });

  it("ids keep growing like virsh's, also after machines went away", async () => {
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    const a = await registry.register(entry("a", randomUUID(), process.pid));
    const b = await registry.register(entry("b", randomUUID(), process.pid));
    await a.unregister();
    await b.unregister();
    const c = await registry.register(entry("c", randomUUID(), process.pid));
    expect([a.record.id, b.record.id, c.record.id]).toEqual([1, 2, 3]);
  });

  it("refuses duplicates of a live machine with libvirt's words", async () => {
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    const uuid = "6f1c4a0e-1111-4222-8333-444455556666";
    await registry.register(entry("tiny", uuid, process.pid));
    const refusal = (name: string, id: string): Promise<RegistryError> =>
      registry.register(entry(name, id, process.pid)).then(
        () => {
          throw new Error(`registering ${name} ${id} was not refused`);
        },
        (e: unknown) => e as RegistryError
      );

    const active = await refusal("tiny", uuid.toUpperCase());
    expect(active).toBeInstanceOf(RegistryError);
    expect(active.code).toBe("DOMAIN_ACTIVE");
    expect(active.message).toBe("Requested operation is not valid: domain 'tiny' is already active");

    const sameUuid = await refusal("other", uuid);
    expect(sameUuid.code).toBe("DOMAIN_UUID_EXISTS");
    expect(sameUuid.message).toBe(`operation failed: domain 'tiny' is already defined with uuid ${uuid}`);

    const sameName = await refusal("tiny", randomUUID());
    expect(sameName.code).toBe("DOMAIN_EXISTS");
    expect(sameName.message).toBe(`operation failed: domain 'tiny' already exists with uuid ${uuid}`);

    await expect(registry.checkConflict("tiny", randomUUID())).rejects.toMatchObject({ code: "DOMAIN_EXISTS" });
    await expect(registry.checkConflict("free", randomUUID())).resolves.toBeUndefined();
    expect((await registry.list()).length).toBe(1);
  });

  it("refuses bad names and UUIDs", async () => {
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    await expect(registry.register(entry("", randomUUID(), process.pid))).rejects.toMatchObject({ code: "INVALID_NAME" });
    await expect(registry.register(entry("a/b", randomUUID(), process.pid))).rejects.toMatchObject({ code: "INVALID_NAME" });
    await expect(registry.register(entry("a\nb", randomUUID(), process.pid))).rejects.toMatchObject({ code: "INVALID_NAME" });
    await expect(registry.register(entry("a", "not-a-uuid", process.pid))).rejects.toMatchObject({ code: "INVALID_UUID" });
  });

  it("drops the entry of a process that died: it no longer lists, its file is gone, its name is free", async () => {
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    const child = await sleeper();
    await registry.register(entry("ghost", randomUUID(), child.pid!));
    expect((await registry.list()).map((r) => r.name)).toEqual(["ghost"]);
    // and a temporary file it was writing when it died
    writeFileSync(join(dir, `.tmp-${child.pid}-0abc`), "{");
    await kill(child);
    expect(await registry.list()).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.startsWith("machine-") || f.startsWith(".tmp-"))).toEqual([]);
    await expect(registry.register(entry("ghost", randomUUID(), process.pid))).resolves.toBeDefined();
  });

  it("a machine process killed with SIGKILL leaves an entry that disappears on the next read", async () => {
    const go = join(dir, "go");
    writeFileSync(go, "");
    const { child, outcome } = racer("killed", randomUUID(), go);
    expect(await outcome).toMatch(/^won \d+$/);
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    expect((await registry.find("killed"))?.pid).toBe(child.pid);
    await kill(child);
    expect(await registry.find("killed")).toBeUndefined();
  });

  it("an entry whose process exited but was not reaped yet (a zombie) counts as dead", async () => {
    const zombie = await unreapedChild(1);
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    await registry.register(entry("zombie", randomUUID(), zombie));
    expect((await registry.find("zombie"))?.pid).toBe(zombie);
    const isZombie = (): boolean => readFileSync(`/proc/${zombie}/stat`, "utf8").includes(") Z ");
    for (let i = 0; i < 1000 && !isZombie(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(isZombie()).toBe(true);
    expect(await registry.list()).toEqual([]);
    // nor can a zombie be registered
    await expect(registry.register(entry("zombie", randomUUID(), zombie))).rejects.toMatchObject({ code: "INVALID_RECORD" });
  });

  it("an entry whose pid was reused by another process counts as dead", async () => {
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    const record: MachineRecord = {
      ...entry("reused", randomUUID(), process.pid),
      id: 7,
      pidStart: "1",
      startedAt: new Date().toISOString(),
    };
    writeFileSync(join(dir, "machine-7.json"), JSON.stringify(record), { mode: 0o600 });
    expect(await registry.list()).toEqual([]);
    expect(existsSync(join(dir, "machine-7.json"))).toBe(false);
  });

  it("two processes registering one name at once: exactly one wins, the others get libvirt's words", async () => {
    const go = join(dir, "go");
    const racers = Array.from({ length: 4 }, () => racer("race", randomUUID(), go));
    // every racer has the registry open before any of them may register
    await Promise.all(racers.map((r) => new Promise((resolve) => r.child.stdout!.once("data", resolve))));
    writeFileSync(go, "");
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    const won = outcomes.filter((o) => o.startsWith("won"));
    expect(won).toHaveLength(1);
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    const [winner] = await registry.list();
    expect(winner?.name).toBe("race");
    for (const lost of outcomes.filter((o) => o.startsWith("lost"))) {
      expect(lost).toBe(`lost DOMAIN_EXISTS operation failed: domain 'race' already exists with uuid ${winner!.uuid}`);
    }
    expect(existsSync(join(dir, "registry.lock"))).toBe(false);
  });

  it("breaks a lock left by a dead process, and times out on a live one", async () => {
    const registry = await MachineRegistry.open({ runtimeDir: dir });
    const child = await sleeper();
    writeFileSync(join(dir, "registry.lock"), `${child.pid} -\n`);
    const slow = await MachineRegistry.open({ runtimeDir: dir, lockTimeoutMs: 200 });
    await expect(slow.register(entry("a", randomUUID(), process.pid))).rejects.toMatchObject({ code: "LOCK_TIMEOUT" });
    await kill(child);
    await expect(registry.register(entry("a", randomUUID(), process.pid))).resolves.toBeDefined();
    expect(existsSync(join(dir, "registry.lock"))).toBe(false);
  });

  it("refuses a runtime directory someone else owns", async () => {
    const theirs = join(dir, "theirs");
    mkdirSync(theirs, { mode: 0o700 });
    if (process.getuid?.() === 0) {
      chownSync(theirs, 65534, 65534);
      await expect(MachineRegistry.open({ runtimeDir: theirs })).rejects.toMatchObject({ code: "RUNTIME_DIR" });
    } else {
      // not root: a directory of root's stands in for someone else's
      await expect(MachineRegistry.open({ runtimeDir: "/" })).rejects.toMatchObject({ code: "RUNTIME_DIR" });
    }
  });
});

describe("defaultRuntimeDir", () => {
  it("SAVEVM_RUNTIME_DIR, then $XDG_RUNTIME_DIR/savevm, then /run/savevm for root or a per-user temporary directory", () => {
    expect(defaultRuntimeDir({ SAVEVM_RUNTIME_DIR: "/x/y", XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/x/y");
    expect(defaultRuntimeDir({ XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/run/user/1000/savevm");
    const fallback = defaultRuntimeDir({});
    if (process.getuid?.() === 0) expect(fallback).toBe("/run/savevm");
    else expect(fallback).toBe(join(tmpdir(), `savevm-${process.getuid?.()}`));
  });
});
