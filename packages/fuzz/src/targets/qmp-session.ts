import { createBytePipe, QmpError, QmpServer, t } from "@savevm/qmp";
import { QMP_MESSAGES } from "../transcripts.js";
import type { FuzzTarget } from "../target.js";

const LIMITS = { maxMessageBytes: 64 * 1024, maxTokens: 16 * 1024, maxNesting: 1024, maxOutputBytes: 1 << 20 };

const Capability = t.enum("MigrationCapability", ["xbzrle", "events", "background-snapshot", "x-ignore-shared"]);

/** A server with commands of each shape: no arguments, a string, a schema with arrays and enums, OOB. */
function server(): QmpServer {
  const s = new QmpServer({ limits: LIMITS, version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "fuzz" } });
  s.command("query-status", { allowOob: true, handler: () => ({ status: "running", singlestep: false, running: true } as never) });
  s.command("stop", { handler: () => undefined });
  s.command("human-monitor-command", {
    args: { "command-line": "str", "*cpu-index": "int" },
    handler: ({ "command-line": line }) => {
      if (line.startsWith("x")) throw new QmpError(`unknown command: '${line}'`);
      return `${line}\r\n` as never;
    },
  });
  s.command("migrate-set-capabilities", {
    args: { capabilities: t.array(t.struct("MigrationCapabilityStatus", { capability: Capability, state: "bool" })) },
    handler: () => undefined,
  });
  s.command("migrate", { args: { uri: "str", "*detach": "bool", "*resume": "bool" }, handler: async () => undefined });
  return s;
}

/**
 * A QMP server session fed the input as a client's bytes, in pieces, then the client hangs up: it
 * must answer, close, and never throw. (Every reply it writes is discarded.)
 */
export const qmpSessionTarget: FuzzTarget = {
  name: "qmp-session",
  description: "@savevm/qmp QmpServerSession (greeting, negotiation, dispatch, OOB, argument schemas)",
  seeds: () => {
    const negotiated = (m: string): Uint8Array =>
      new TextEncoder().encode(`{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}}\n${m}\n`);
    return [...QMP_MESSAGES.map(negotiated), new TextEncoder().encode(QMP_MESSAGES.join("\n"))];
  },
  async run(input) {
    const qmp = server();
    const [client, end] = createBytePipe();
    const session = qmp.attach(end);
    const closed = new Promise<void>((resolve) => session.on("close", () => resolve()));
    client.on("data", () => undefined);
    const piece = 1 + ((input[0] ?? 0) % 61);
    for (let at = 0; at < input.length; at += piece) client.write(input.subarray(at, at + piece));
    // Let it answer what it read before the client hangs up (the pipe's end closes both sides).
    await new Promise((resolve) => setImmediate(resolve));
    client.end();
    await closed;
    qmp.close();
  },
  // Bad input is answered on the wire, never thrown.
  expected: () => false,
  maxAllocation: 2 << 20,
  maxInput: 32 * 1024,
  dictionary: [
    '"execute"',
    '"exec-oob"',
    '"arguments"',
    '"id"',
    '"qmp_capabilities"',
    '"enable"',
    '["oob"]',
    '"query-status"',
    '"human-monitor-command"',
    '"command-line"',
    '"migrate-set-capabilities"',
    '"capabilities"',
    '"capability"',
    '"state"',
    '"migrate"',
    '"uri"',
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\n",
  ],
};
