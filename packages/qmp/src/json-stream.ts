import { JsonLexer, Token, type TokenType } from "./json-lexer.js";
import { JsonParser } from "./json-parser.js";
import type { JsonValue } from "./json-value.js";
import { decodeLikeQemu } from "./utf8.js";

/** Bounds on one message; the defaults are QEMU's. */
export interface JsonStreamLimits {
  /** Total bytes of the tokens of one message (QEMU: 64 MiB). */
  maxMessageBytes?: number;
  /** Tokens in one message (QEMU: 2 Mi). */
  maxTokens?: number;
  /** Open brackets and braces (QEMU: 1024). */
  maxNesting?: number;
}

export const QEMU_JSON_LIMITS: Required<JsonStreamLimits> = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxTokens: 2 * 1024 * 1024,
  maxNesting: 1024,
};

/** A message that could not be read; `message` is QEMU's desc, e.g. "JSON parse error, expecting value". */
export class JsonParseError extends Error {
  readonly code = "JSON_PARSE";
  constructor(
    message: string,
    /** Byte offset in the stream of the byte that ended the message. */
    readonly offset: number,
  ) {
    super(message);
    this.name = "JsonParseError";
  }
}

export type JsonMessageSink = (message: { value: JsonValue } | { error: JsonParseError }) => void;

/**
 * Splits a byte stream into JSON messages the way QEMU's JSON streamer does: a message ends when
 * its brackets balance (or a closer has no opener), newlines mean nothing, and every bad token
 * produces its own error, after which reading goes on.
 */
export class JsonMessageStream {
  private readonly lexer: JsonLexer;
  private readonly parser = new JsonParser();
  private readonly limits: Required<JsonStreamLimits>;
  private braces = 0;
  private brackets = 0;
  private tokenBytes = 0;
  private tokenCount = 0;
  private consumed = 0;
  private chunkBase = 0;

  constructor(
    private readonly sink: JsonMessageSink,
    limits: JsonStreamLimits = {},
  ) {
    this.limits = { ...QEMU_JSON_LIMITS, ...limits };
    this.lexer = new JsonLexer((type, bytes, start, end) => this.token(type, bytes, start, end), this.limits.maxMessageBytes);
  }

  /** Bytes of the message read so far (held inside the parser), for accounting. */
  get partialBytes(): number {
    return this.tokenBytes;
  }

  /** True while a message has started but not finished. */
  get inMessage(): boolean {
    return this.tokenCount > 0 || this.lexer.midToken;
  }

  /** Makes the running {@link feed} return right after the current byte. */
  stop(): void {
    this.lexer.stop();
  }

  /** Total bytes fed so far. */
  get offset(): number {
    return this.consumed;
  }

  /** Reads `chunk[start, end)`; returns where it stopped (`end` unless {@link stop} was called). */
  feed(chunk: Uint8Array, start = 0, end = chunk.length): number {
    this.chunkBase = this.consumed - start;
    const stopped = this.lexer.feed(chunk, start, end);
    this.consumed += stopped - start;
    return stopped;
  }

  private token(type: TokenType, bytes: Uint8Array, start: number, end: number): void {
    switch (type) {
      case Token.LCurly:
        this.braces++;
        break;
      case Token.RCurly:
        this.braces--;
        break;
      case Token.LSquare:
        this.brackets++;
        break;
      case Token.RSquare:
        this.brackets--;
        break;
      case Token.Error:
        this.fail(`JSON parse error, stray '${decodeLikeQemu(bytes, start, end)}'`);
        return;
      case Token.Oversize:
        this.fail("JSON token size limit exceeded");
        return;
    }
    const len = end - start;
    if (this.tokenBytes + len + 1 > this.limits.maxMessageBytes) {
      this.fail("JSON token size limit exceeded");
      return;
    }
    if (this.tokenCount + 1 > this.limits.maxTokens) {
      this.fail("JSON token count limit exceeded");
      return;
    }
    if (this.braces + this.brackets > this.limits.maxNesting) {
      this.fail("JSON nesting depth limit exceeded");
      return;
    }
    this.tokenBytes += len;
    this.tokenCount++;
    this.parser.push(type, bytes, start, end);
    if ((this.braces > 0 || this.brackets > 0) && this.braces >= 0 && this.brackets >= 0) return;
    const result = this.parser.finish();
    this.resetMessage();
    if ("error" in result) this.sink({ error: new JsonParseError(`JSON parse error, ${result.error}`, this.position()) });
    else this.sink(result);
  }

  private fail(message: string): void {
    this.parser.reset();
    this.resetMessage();
    this.sink({ error: new JsonParseError(message, this.position()) });
  }

  private resetMessage(): void {
    this.braces = 0;
    this.brackets = 0;
    this.tokenBytes = 0;
    this.tokenCount = 0;
  }

  private position(): number {
    return this.chunkBase + this.lexer.byteIndex;
  }
}
