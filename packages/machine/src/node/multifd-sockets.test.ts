import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMachine } from "../index.js";
import type { Machine } from "../machine.js";
import { createServer } from "node:net";
import { NodeChannels } from "./channels.js";
import { ThreadLaneChannel } from "./multifd-send-thread.js";
import { nodeBackends } from "./node-backends.js";

let dir: string;
const machines: Machine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "savevm-multifd-"));
});
afterEach(() => {
  for (const m of machines.splice(0)) m.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const UUID = "6b0f3c1e-5a2d-4c1b-9e8f-0123456789ab";

function machine(config: { incoming?: boolean; uuid?: string; running?: boolean; staging?: boolean }): Machine {
  const m = createMachine(
    {
      memory: 8 << 20,
      startPaused: !(config.running ?? false),
      incoming: config.incoming ?? false,
      ...(config.uuid !== undefined ? { uuid: config.uuid } : {}),
      guest: { pacing: { rate: 4 << 20 } },
    },
    nodeBackends({ staging: config.staging === true ? { slots: 32 } : false }),
  );
  machines.push(m);
  return m;
}

function multifd(m: Machine, channels: number, compression: "none" | "zlib" = "none"): void {
  m.setCapabilities([{ capability: "multifd", state: true }]);
  m.setParameters({ "multifd-channels": channels, "multifd-compression": compression });
}

async function migrateOver(scheme: "unix" | "tcp", src: Machine, dst: Machine): Promise<{ loaded: Promise<void>; done: Promise<void> }> {
  const channels = new NodeChannels();
  const prepared = await channels.prepareInput(
    scheme === "unix" ? `unix:${join(dir, "mig.sock")}` : "tcp:127.0.0.1:0",
    dst.multifdRequest(),
  );
  const address = prepared.listener!.address;
  const target = address.kind === "unix" ? `unix:${address.path}` : `tcp:127.0.0.1:${address.port}`;
  const loaded = prepared.accept().then((input) => dst.incoming(input));
  loaded.catch(() => undefined);
  const migration = src.migrate(channels.prepareOutput(target, src.multifdRequest()));
  return { loaded, done: migration.done.then(() => expect(`${migration.status} ${migration.error ?? ""}`).toBe("completed ")) };
}

describe("multifd between two machines", () => {
  for (const scheme of ["unix", "tcp"] as const) {
    for (const channels of [1, 2, 4]) {
      it(`pre-copies a running guest over ${scheme} with ${channels} channels`, async () => {
        const src = machine({ running: true, uuid: UUID });
        src.populate();
        src.setParameters({ "max-bandwidth": 64 << 20, "downtime-limit": 50 });
        multifd(src, channels);
        const dst = machine({ incoming: true, uuid: UUID });
        multifd(dst, channels);
        const { loaded, done } = await migrateOver(scheme, src, dst);
        await done;
        await loaded;
        const info = src.queryMigrate() as { ram: { "multifd-bytes": number; normal: number } };
        expect(info.ram["multifd-bytes"]).toBeGreaterThan(info.ram.normal * 4096);
        expect(await dst.digest()).toEqual(await src.digest());
      });
    }
  }

  it("hands multifd pages to the staging thread like the main stream's", async () => {
    const src = machine({ running: true, uuid: UUID });
    src.populate();
    multifd(src, 2);
    const dst = machine({ incoming: true, uuid: UUID, staging: true });
    multifd(dst, 2);
    const { loaded, done } = await migrateOver("unix", src, dst);
    await done;
    await loaded;
    expect(await dst.digest()).toEqual(await src.digest());
  });

  it("compresses pages with zlib, one stream per channel", async () => {
    const src = machine({ running: true, uuid: UUID });
    src.populate();
    src.setParameters({ "max-bandwidth": 64 << 20, "downtime-limit": 50 });
    multifd(src, 3, "zlib");
    const dst = machine({ incoming: true, uuid: UUID });
    multifd(dst, 3, "zlib");
    const { loaded, done } = await migrateOver("tcp", src, dst);
    await done;
    await loaded;
    const info = src.queryMigrate() as { ram: { "multifd-bytes": number; normal: number } };
    expect(info.ram.normal).toBeGreaterThan(0);
    expect(await dst.digest()).toEqual(await src.digest());
  });

  it("fails the load when the source compresses and the destination does not, with QEMU's words", async () => {
    const src = machine({ uuid: UUID });
    src.populate();
    multifd(src, 2, "zlib");
    const dst = machine({ incoming: true, uuid: UUID });
    multifd(dst, 2);
    const { loaded, done } = await migrateOver("unix", src, dst);
    await expect(loaded).rejects.toThrow(/^multifd [01]: flags received 2 flags expected 0/);
    await done.catch(() => undefined);
  });

  it("a cancelled multifd migration ends both sides and the guest keeps running", async () => {
    const src = machine({ running: true, uuid: UUID });
    src.populate();
    src.setParameters({ "max-bandwidth": 2 << 20 });
    multifd(src, 2);
    const dst = machine({ incoming: true, uuid: UUID });
    multifd(dst, 2);
    const { loaded, done } = await migrateOver("unix", src, dst);
    await new Promise((r) => setTimeout(r, 300));
    src.cancelMigration();
    await expect(done).rejects.toThrow("cancelled");
    await expect(loaded).rejects.toThrow();
    expect(src.runState.state).toBe("running");
    expect(dst.runState.state).toBe("inmigrate");
  });

  it("fails the load when the source's UUID is not this machine's, as QEMU does", async () => {
    const src = machine({ uuid: UUID });
    src.populate();
    multifd(src, 2);
    const dst = machine({ incoming: true, uuid: "00000000-0000-0000-0000-000000000001" });
    multifd(dst, 2);
    const { loaded, done } = await migrateOver("unix", src, dst);
    await expect(loaded).rejects.toThrow(
      `multifd: received uuid '${UUID}' and expected uuid '00000000-0000-0000-0000-000000000001' for channel`,
    );
    await done.catch(() => undefined);
    expect(dst.runState.state).toBe("inmigrate");
  });

  it("refuses protocols that cannot open several channels, and conflicting capabilities", () => {
    const src = machine({});
    multifd(src, 2);
    expect(() => new NodeChannels().prepareOutput(`file:${join(dir, "x.mig")}`, src.multifdRequest())).toThrow(
      "multifd is not supported by current protocol",
    );
    expect(() => src.setCapabilities([{ capability: "compress", state: true }])).toThrow("Multifd is not compatible with compress");
    src.setParameters({ "multifd-compression": "zstd" });
    expect(() => src.multifdRequest()).toThrow("multifd-compression 'zstd' is not supported by this machine; use 'none' or 'zlib'");
  });
});

describe("ThreadLaneChannel", () => {
  it("writes from its own thread, moving chunks that own their memory and copying views", async () => {
    const path = join(dir, "lane.sock");
    const received: Buffer[] = [];
    const server = createServer((socket) => socket.on("data", (d: Buffer) => received.push(d)));
    await new Promise<void>((r) => server.listen(path, r));
    const closed = new Promise<void>((r) => server.on("connection", (s) => s.on("close", r)));
    const lane = await ThreadLaneChannel.connect({ kind: "unix", path });
    const own = new Uint8Array(8).fill(1);
    const pooled = Buffer.from("pooled");
    await lane.write([own, pooled]);
    await lane.close();
    await closed;
    server.close();
    expect(Buffer.concat(received).toString("latin1")).toBe("\x01".repeat(8) + "pooled");
    expect(own.byteLength).toBe(0);
    expect(pooled.toString()).toBe("pooled");
  });

  it("fails to connect with QEMU's words", async () => {
    await expect(ThreadLaneChannel.connect({ kind: "unix", path: join(dir, "nobody.sock") })).rejects.toThrow(
      `Failed to connect to '${join(dir, "nobody.sock")}': No such file or directory`,
    );
  });
});
