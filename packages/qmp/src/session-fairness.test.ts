import { describe, expect, it } from "vitest";
import { createBytePipe } from "./byte-stream.js";
import { QmpServer } from "./server.js";
import { LineReader } from "./test-support/line-reader.js";

/**
 * A chunk full of tiny messages (`1,1,1…`: each number ends only at the byte after it) is read
 * one message at a time, as QEMU's suspended monitor does, and answering it does not hold other
 * sessions up until the whole chunk is done.
 */
const FIXED = { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "t" }, clock: () => ({ seconds: 1, microseconds: 2 }) };
const NOT_OBJECT = '{"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}\r\n';

async function negotiated(server: QmpServer): Promise<{ reader: LineReader; session: ReturnType<QmpServer["attach"]> }> {
  const [serverEnd, clientEnd] = createBytePipe(1 << 30);
  const session = server.attach(serverEnd);
  const reader = new LineReader(clientEnd);
  await reader.readUntil("\r\n");
  reader.write('{"execute": "qmp_capabilities"}\n');
  await reader.readUntil('{"return": {}}\r\n');
  return { reader, session };
}

describe("sessions under a flood of tiny messages", () => {
  it("queues one message at a time, also when each ends by lookahead, and answers all in order", async () => {
    const server = new QmpServer({ ...FIXED, maxClients: 2 });
    server.command("ping", { handler: () => "pong" });
    const { reader, session } = await negotiated(server);
    const n = 3_000;
    reader.write("1,".repeat(n) + '{"execute": "ping", "id": "last"}\n');
    const out = await reader.readUntil('{"return": "pong", "id": "last"}\r\n');
    expect(out.split(NOT_OBJECT).length - 1).toBe(n);
    expect(session.stats().peakQueuedCommands).toBe(1);
  });

  it("lets timers and other sessions in while it works through a chunk of 3,000 messages", async () => {
    const server = new QmpServer(FIXED);
    const { reader } = await negotiated(server);
    const n = 3_000;
    reader.write("1,".repeat(n) + '{"execute": "query-version", "id": "done"}\n');
    // A timer set now fires when the session yields, long before the chunk is answered.
    await new Promise((r) => setTimeout(r, 0));
    const answeredAtTimer = reader.buffered.split(NOT_OBJECT).length - 1;
    expect(answeredAtTimer).toBeLessThan(n / 2);
    const all = await reader.readUntil('"id": "done"}\r\n');
    expect(all.split(NOT_OBJECT).length - 1).toBe(n);
  });
});
