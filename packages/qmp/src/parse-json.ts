import { JsonMessageStream, JsonParseError } from "./json-stream.js";
import type { JsonValue } from "./json-value.js";

const encoder = new TextEncoder();

/**
 * Parses exactly one JSON value with QEMU's rules (single-quoted strings, integers beyond 2^53
 * as `bigint`). Throws {@link JsonParseError} with QEMU's message otherwise.
 */
export function parseJson(text: string | Uint8Array): JsonValue {
  const values: JsonValue[] = [];
  let error: JsonParseError | undefined;
  const stream = new JsonMessageStream((m) => {
    if ("error" in m) error ??= m.error;
    else values.push(m.value);
  });
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  stream.feed(bytes);
  // a trailing number or keyword is only complete once something follows it
  stream.feed(encoder.encode(" "));
  if (error) throw error;
  if (stream.inMessage) throw new JsonParseError("JSON parse error, premature EOI", bytes.length);
  if (values.length !== 1) throw new JsonParseError(values.length === 0 ? "JSON parse error, expecting value" : "JSON parse error, more than one value", bytes.length);
  return values[0]!;
}
