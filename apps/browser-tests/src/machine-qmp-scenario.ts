/**
 * What the page runs with the root entries of @savevm/machine and @savevm/qmp, and what the
 * Node side of the test runs too: the outcome is plain JSON, so Chromium's and Node's can be
 * compared field by field. Imports only the packages' root entries (bare specifiers, resolved by
 * the page's import map or by Node), so anything Node-only they pull in fails in the page.
 */
import { createMachine, MemoryOutputChannel, memoryInputChannel, type Machine, type MachineDigest } from "@savevm/machine";
import { createBytePipe, QmpClient, QmpError, QmpServer, t, type ByteStream, type JsonValue } from "@savevm/qmp";

const MiB = 1 << 20;
const GUEST = { seed: 11, fill: 3 * MiB };

export interface MachineOutcome {
  stopAndSave: { status: string; source: MachineDigest; restored: MachineDigest; restoredState: string };
  live: { status: string; t0Steps: number; stepsAfterT0: boolean; restored: MachineDigest; twin: MachineDigest; restoredState: string };
}

export interface QmpOutcome {
  greeting: JsonValue;
  results: JsonValue[];
  /** The exact bytes the server wrote for a raw exchange (after the greeting), as text. */
  wire: string;
}

async function restore(bytes: Uint8Array): Promise<Machine> {
  const target = createMachine({ memory: 8 * MiB, incoming: true, startPaused: true });
  await target.incoming(memoryInputChannel(bytes));
  return target;
}

/** Stop-and-copy of a paused machine, then a live point-in-time snapshot of a running one. */
export async function runMachineScenario(): Promise<MachineOutcome> {
  const machines: Machine[] = [];
  try {
    const source = createMachine({ memory: 8 * MiB, startPaused: true, guest: GUEST });
    machines.push(source);
    source.step(120);
    const out = new MemoryOutputChannel();
    const save = source.migrate(out);
    await save.done;
    const restored = await restore(out.bytes());
    machines.push(restored);
    const stopAndSave = {
      status: save.status,
      source: await source.digest(),
      restored: await restored.digest(),
      restoredState: restored.runState.state,
    };

    // Running, stepped by hand only after T0 (RESUME), so T0 is the same step count everywhere.
    const live = createMachine({ memory: 8 * MiB, guest: GUEST });
    machines.push(live);
    live.step(80);
    live.setCapabilities([{ capability: "background-snapshot", state: true }]);
    live.setParameters({ "max-bandwidth": 4 * MiB });
    let t0Steps = -1;
    let resumed = false;
    const off = live.events.on((e) => {
      if (e.event === "STOP" && t0Steps < 0) t0Steps = live.guest.state.steps;
      if (e.event === "RESUME") resumed = true;
    });
    const liveOut = new MemoryOutputChannel();
    const migration = live.migrate(liveOut);
    const guest = (async () => {
      let n = 0;
      while (migration.active) {
        if (resumed) await live.runSteps(1);
        if (++n % 4 === 0 || !resumed) await new Promise((r) => setTimeout(r, 0));
      }
    })();
    await migration.done;
    await guest;
    off();
    const liveRestored = await restore(liveOut.bytes());
    machines.push(liveRestored);
    const twin = createMachine({ memory: 8 * MiB, startPaused: true, guest: GUEST });
    machines.push(twin);
    twin.step(t0Steps);
    return {
      stopAndSave,
      live: {
        status: migration.status,
        t0Steps,
        stepsAfterT0: live.guest.state.steps > t0Steps,
        restored: await liveRestored.digest(),
        twin: await twin.digest(),
        restoredState: liveRestored.runState.state,
      },
    };
  } finally {
    for (const m of machines) m.destroy();
  }
}

function testServer(): QmpServer {
  const server = new QmpServer({
    version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "savevm-browser-test" },
    clock: () => ({ seconds: 1700000000, microseconds: 7 }),
  });
  let running = false;
  server.command("query-status", {
    returns: t.struct("StatusInfo", { running: "bool", singlestep: "bool", status: t.enum("RunState", ["paused", "running"]) }),
    handler: () => ({ running, singlestep: false, status: running ? "running" : "paused" }),
  });
  server.command("cont", {
    handler: (_args, ctx) => {
      running = true;
      ctx.emitEvent("RESUME");
    },
  });
  server.command("set-speed", {
    args: { "bytes-per-second": "size" },
    handler: (args) => {
      if (args["bytes-per-second"] === 0) throw new QmpError("speed must not be 0");
      return { speed: args["bytes-per-second"] };
    },
  });
  return server;
}

async function settle(result: Promise<JsonValue>): Promise<JsonValue> {
  try {
    return { return: await result };
  } catch (err) {
    if (err instanceof QmpError) return { error: { class: err.errorClass, desc: err.desc } };
    throw err;
  }
}

/** Reads what `stream` delivers until `lines` CRLF-terminated lines have arrived. */
function readLines(stream: ByteStream, lines: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${text.split("\r\n").length - 1} of ${lines} lines arrived: ${text}`)), 5000);
    stream.on("data", (chunk: Uint8Array) => {
      text += decoder.decode(chunk, { stream: true });
      if (text.split("\r\n").length - 1 >= lines) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

/** A QmpServer and a QmpClient over an in-memory byte pipe, then a raw exchange on a second pipe. */
export async function runQmpScenario(): Promise<QmpOutcome> {
  const server = testServer();
  const [serverEnd, clientEnd] = createBytePipe();
  server.attach(serverEnd);
  const client = await QmpClient.connect(clientEnd);
  const results: JsonValue[] = [];
  try {
    results.push(await settle(client.execute("query-status")));
    results.push(await settle(client.execute("cont")));
    results.push(await settle(client.execute("query-status")));
    results.push(await settle(client.execute("set-speed", { "bytes-per-second": 4096 })));
    results.push(await settle(client.execute("set-speed", { "bytes-per-second": 0 })));
    results.push(await settle(client.execute("set-speed", { "bytes-per-second": "fast" })));
    results.push(await settle(client.execute("no-such-command")));
  } finally {
    await client.close();
  }

  const [rawServer, rawClient] = createBytePipe();
  server.attach(rawServer);
  const requests = [
    '{"execute": "query-status"}',
    '{"execute": "qmp_capabilities"}',
    '{"execute": "qmp_capabilities"}',
    '{"execute": "query-status", "id": [1, "x"]}',
    '{"execute": "cont", "id": 2}',
    "[1, 2]",
    '{"execute": "set-speed", "arguments": {"bytes-per-second": -1}, "id": 3}',
    "{'execute': 'bogus', 'id': 'single'}",
    '{"execute": "query-status" }}',
  ];
  // One line each, plus the greeting, the RESUME event and the stray "}"'s parse error.
  const wire = readLines(rawClient, requests.length + 3);
  rawClient.write(new TextEncoder().encode(requests.join("\n") + "\n"));
  const text = await wire;
  rawClient.destroy();
  return { greeting: client.greeting as unknown as JsonValue, results, wire: text };
}
