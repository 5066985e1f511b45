import { formatQemuJson, JsonMessageStream, JsonParseError, parseJson } from "@savevm/qmp";
import { QMP_MESSAGES } from "../transcripts.js";
import { hasCode, type FuzzTarget } from "../target.js";

const LIMITS = { maxMessageBytes: 64 * 1024, maxTokens: 16 * 1024, maxNesting: 1024 };

/**
 * QMP's JSON lexer and parser: the input as one text (`parseJson`), and as a byte stream cut in
 * pieces (`JsonMessageStream`, which reports bad tokens through its sink and goes on).
 */
export const qmpJsonTarget: FuzzTarget = {
  name: "qmp-json",
  description: "@savevm/qmp JsonLexer + JsonParser via JsonMessageStream and parseJson",
  seeds: () => [...QMP_MESSAGES.map((m) => new TextEncoder().encode(`${m}\n`)), new TextEncoder().encode(QMP_MESSAGES.join("\r\n"))],
  run(input) {
    const stream = new JsonMessageStream((m) => {
      // What a server echoes back (an id), written as QEMU writes it (also inf and nan).
      if ("value" in m) formatQemuJson(m.value);
      else if (!(m.error instanceof JsonParseError)) throw m.error;
    }, LIMITS);
    // Pieces of a size the input chooses, so token borders fall everywhere.
    const piece = 1 + ((input[0] ?? 0) % 7);
    let at = 0;
    for (; at < Math.min(input.length, 512); at += piece) stream.feed(input.subarray(at, at + piece));
    stream.feed(input.subarray(at));
    stream.feed(new Uint8Array([0x0a]));
    parseJson(input);
  },
  expected: (error) => hasCode(error, [JsonParseError]),
  maxAllocation: 128 * 1024,
  maxInput: 32 * 1024,
  dictionary: [
    '"execute"',
    '"arguments"',
    '"id"',
    '"exec-oob"',
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "'",
    '"',
    "\\u",
    "\\ud83d",
    "true",
    "false",
    "null",
    "1e309",
    "-0",
    "18446744073709551616",
    "\xff",
    "\xc3\xa9",
    "\x00",
  ],
};
