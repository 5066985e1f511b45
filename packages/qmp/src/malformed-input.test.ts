import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenQmp } from "./node.js";
import type { StreamListener } from "./transports.js";
import { createQemuLikeServer } from "./test-support/qemu-like-server.js";
import { RawConnection } from "./test-support/raw-connection.js";

/**
 * The malformed-input table of the spec (section 1.7, QEMU 7.2's observed replies), sent as raw
 * bytes on a real unix socket to our server. Every row lists the replies in order.
 */

const generic = (desc: string): string => `{"error": {"class": "GenericError", "desc": ${JSON.stringify(desc)}}}\r\n`;
const EXPECTING = generic("JSON parse error, expecting value");

const TABLE: [input: string, replies: string[]][] = [
  ['{"execute": }\n', [EXPECTING]],
  ["foo\n", [generic("JSON parse error, invalid keyword 'foo'")]],
  ["}\n", [EXPECTING]],
  ["]\n", [EXPECTING]],
  ['{"execute": "query-status", "id": 1, }\n', [EXPECTING]],
  ['{"execute" "query-status"}\n', [generic("JSON parse error, missing : in object pair")]],
  ['{"execute":"query-status","execute":"stop"}\n', [generic("JSON parse error, duplicate key")]],
  ['{"execute": "query-status", "id": 0x10}\n', [generic("JSON parse error, expected separator in dict")]],
  ['{"execute": "query-status", "id": 01}\n', [generic("JSON parse error, stray '01'"), EXPECTING]],
  ['{"execute": "query-status", "id": %d}\n', [generic("JSON parse error, stray '%'"), EXPECTING]],
  ['{"execute": "query-status", "id": "a\\x"}\n', [generic("JSON parse error, invalid escape sequence in string")]],
  ['{"execute": "query-status", "id": "a\tb"}\n', [`{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\\"a\\t'"}}\r\n`, EXPECTING]],
  ['{"execute": "query-status", "id": "a\xffb"}\n', [`{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\\"a\\uFFFD'"}}\r\n`, EXPECTING]],
  ["\x00\n", [generic("JSON parse error, stray ''")]],
  [
    "[".repeat(1100) + "]".repeat(1100) + "\n",
    [generic("JSON nesting depth limit exceeded"), generic("QMP input must be a JSON object"), ...Array<string>(1025).fill(EXPECTING)],
  ],
  ["[]\n", [generic("QMP input must be a JSON object")]],
  ["1\n", [generic("QMP input must be a JSON object")]],
  ['"str"\n', [generic("QMP input must be a JSON object")]],
  ["null\n", [generic("QMP input must be a JSON object")]],
  ["true\n", [generic("QMP input must be a JSON object")]],
  ["{}\n", [generic("QMP input lacks member 'execute'")]],
  ['{"arguments":{}}\n', [generic("QMP input lacks member 'execute'")]],
  ['{"execute": 1}\n', [generic("QMP input member 'execute' must be a string")]],
  ['{"execute":"query-status","foo":1}\n', [generic("QMP input member 'foo' is unexpected")]],
  ['{"execute":"query-status","foo":1,"id":7}\n', [`{"id": 7, "error": {"class": "GenericError", "desc": "QMP input member 'foo' is unexpected"}}\r\n`]],
  ['{"execute":"query-status","arguments":[]}\n', [generic("QMP input member 'arguments' must be an object")]],
  ['{"execute":"query-status","arguments":null}\n', [generic("QMP input member 'arguments' must be an object")]],
  ['{"execute":"nosuch"}\n', ['{"error": {"class": "CommandNotFound", "desc": "The command nosuch has not been found"}}\r\n']],
  ['{"execute":"migrate"}\n', [generic("Parameter 'uri' is missing")]],
  ['{"execute":"human-monitor-command"}\n', [generic("Parameter 'command-line' is missing")]],
  ['{"execute":"query-status","arguments":{"x":1}}\n', [generic("Parameter 'x' is unexpected")]],
  ['{"execute":"migrate","arguments":{"uri":1}}\n', [generic("Invalid parameter type for 'uri', expected: string")]],
  [
    '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"bogus","state":true}]}}\n',
    [generic("Parameter 'capability' does not accept value 'bogus'")],
  ],
];

let dir: string;
let listener: StreamListener;
let conn: RawConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "savevm-qmp-table-"));
  const server = createQemuLikeServer({ qemu: { major: 7, minor: 2, micro: 22 }, package: "" });
  listener = await listenQmp(server, `unix:${join(dir, "qmp.sock")}`);
  conn = await RawConnection.connect(join(dir, "qmp.sock"));
  await conn.readLine();
  conn.write('{"execute":"qmp_capabilities"}\n');
  expect(await conn.readLine()).toBe('{"return": {}}\r\n');
});

afterAll(async () => {
  await conn?.close();
  await listener?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("malformed input (spec section 1.7)", () => {
  it.each(TABLE.map(([input, replies]) => ({ input, replies, label: JSON.stringify(input).slice(0, 60) })))("$label", async ({ input, replies }) => {
    conn.write(input);
    // a valid command after the input marks where its replies end
    conn.write('{"execute":"query-status","id":"end"}\n');
    const text = await conn.readUntil('"id": "end"}\r\n');
    const got = text.split(/(?<=\r\n)/);
    expect(got.pop()).toBe('{"return": {"status": "prelaunch", "singlestep": false, "running": false}, "id": "end"}\r\n');
    expect(got).toEqual(replies);
  });

  it("resynchronises: the next valid command works after garbage on the same line", async () => {
    conn.write('%%%{"execute":"query-status","id":2}\n');
    expect(await conn.readLine()).toBe(generic("JSON parse error, stray '%'"));
    expect(await conn.readLine()).toBe('{"return": {"status": "prelaunch", "singlestep": false, "running": false}, "id": 2}\r\n');
  });

  it("reads several objects per line and one object over several lines", async () => {
    conn.write('{"execute":"query-status","id":1}{"execute":"query-status","id":2}\n{"execute":\n"query-status",\n"id":3}');
    const text = await conn.readUntil('"id": 3}\r\n');
    expect(text.match(/"id": \d/g)).toEqual(['"id": 1', '"id": 2', '"id": 3']);
  });

  it("waits for an incomplete object without replying", async () => {
    conn.write('{"execute":"query-status",');
    await new Promise((r) => setTimeout(r, 50));
    expect(conn.take()).toBe("");
    conn.write('"id":"late"}');
    expect(await conn.readLine()).toContain('"id": "late"');
  });
});
