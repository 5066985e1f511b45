import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QmpError } from "./errors.js";
import { fdPassingAvailable, QmpClient } from "./node.js";
import { startQemu, stopAllQemu, type QemuProcess } from "./test-support/qemu.js";

/** SCM_RIGHTS over a unix QMP socket, checked against QEMU 7.2's getfd/closefd/dump. */

let qemu: QemuProcess;
let client: QmpClient;

beforeAll(async () => {
  qemu = await startQemu();
  client = await QmpClient.connect(`unix:${qemu.qmpPath}`, { greetingTimeoutMs: 10_000, commandTimeoutMs: 30_000 });
});

afterAll(async () => {
  await client?.close();
  await stopAllQemu();
});

describe("fd passing", () => {
  it("is available on this host (python3 is installed by the test tools)", async () => {
    expect(await fdPassingAvailable()).toBe(true);
  });

  it("hands QEMU a descriptor with getfd, which it then writes to", async () => {
    await expect(client.execute("getfd", { fdname: "nofd" })).rejects.toThrow("No file descriptor supplied via SCM_RIGHTS");
    const file = `${qemu.dir}/written-through-fd`;
    writeFileSync(file, "");
    const fd = openSync(file, "w");
    try {
      await client.execute("getfd", { fdname: "out" }, { fd });
    } finally {
      closeSync(fd);
    }
    // QEMU's migrate writes a stream into the fd it got: proof the descriptor arrived.
    await client.execute("migrate", { uri: "fd:out" });
    for (let i = 0; i < 500; i++) {
      const info = await client.execute<{ status: string }>("query-migrate");
      if (info.status === "completed" || info.status === "failed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readFileSync(file).subarray(0, 4).toString("latin1")).toBe("QEVM");
    // migrate consumed the name
    await expect(client.execute("closefd", { fdname: "out" })).rejects.toBeInstanceOf(QmpError);
  });

  it("keeps commands in order around a descriptor and many calls in flight", async () => {
    const fd = openSync("/dev/null", "w");
    try {
      const results = await Promise.all([
        client.execute("query-status"),
        client.execute("getfd", { fdname: "a" }, { fd }),
        client.execute("query-status"),
      ]);
      expect(results[1]).toEqual({});
      expect(await client.execute("closefd", { fdname: "a" })).toEqual({});
    } finally {
      closeSync(fd);
    }
  });
});
