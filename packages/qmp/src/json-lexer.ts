/**
 * Streaming JSON lexer with QEMU's token rules: single-quoted strings, keywords as [a-z]+ left to
 * the parser, strict numbers (no leading zeros, no exponent after a bare 0), and a recovery state
 * after a bad byte that skips input until a structural character, a control character other
 * than TAB, or a 0xFE/0xFF byte. Bytes in, tokens out; the lexer never decodes text.
 */

export const Token = {
  LCurly: 1,
  RCurly: 2,
  LSquare: 3,
  RSquare: 4,
  Colon: 5,
  Comma: 6,
  Integer: 7,
  Float: 8,
  Keyword: 9,
  String: 10,
  /** A byte sequence that is no token; carries the bytes QEMU quotes in "stray '…'". */
  Error: 11,
  /** A single token grew beyond the size limit and was cut. */
  Oversize: 12,
} as const;
export type TokenType = (typeof Token)[keyof typeof Token];

/** Receives each token; `bytes[start, end)` is only valid during the call. */
export type TokenSink = (type: TokenType, bytes: Uint8Array, start: number, end: number) => void;

// Lexer states.
const START = 0;
const DQ_STRING = 1;
const DQ_ESCAPE = 2;
const SQ_STRING = 3;
const SQ_ESCAPE = 4;
const ZERO = 5;
const BAD_ZERO = 6;
const SIGN = 7;
const DIGITS = 8;
const MANTISSA = 9;
const MANTISSA_DIGITS = 10;
const EXP_E = 11;
const EXP_SIGN = 12;
const EXP_DIGITS = 13;
const KEYWORD = 14;
const RECOVERY = 15;
const STATE_COUNT = 16;

// A table entry is a next state, or EMIT | token type; LOOKAHEAD means the byte is not part of
// what was just finished and must be read again from the next state.
const EMIT = 0x40;
const LOOKAHEAD = 0x80;
const ERROR = EMIT | Token.Error;

function buildTable(): Uint8Array {
  const t = new Uint8Array(STATE_COUNT * 256).fill(ERROR);
  const set = (state: number, from: number, to: number, value: number): void => {
    for (let b = from; b <= to; b++) t[state * 256 + b] = value;
  };
  const ch = (c: string): number => c.charCodeAt(0);
  const one = (state: number, c: string, value: number): void => set(state, ch(c), ch(c), value);
  const digits = (state: number, value: number): void => set(state, 0x30, 0x39, value);

  for (const [str, esc, quote] of [
    [DQ_STRING, DQ_ESCAPE, '"'],
    [SQ_STRING, SQ_ESCAPE, "'"],
  ] as const) {
    set(str, 0x20, 0xfd, str);
    one(str, "\\", esc);
    one(str, quote, EMIT | Token.String);
    set(esc, 0x20, 0xfd, str);
  }

  set(ZERO, 0, 255, LOOKAHEAD | EMIT | Token.Integer);
  digits(ZERO, BAD_ZERO);
  one(ZERO, ".", MANTISSA);

  // QEMU quotes "0" plus one more digit ("stray '01'") and skips the rest in recovery
  set(BAD_ZERO, 0, 255, LOOKAHEAD | ERROR);

  one(SIGN, "0", ZERO);
  set(SIGN, ch("1"), ch("9"), DIGITS);

  set(DIGITS, 0, 255, LOOKAHEAD | EMIT | Token.Integer);
  digits(DIGITS, DIGITS);
  one(DIGITS, ".", MANTISSA);
  one(DIGITS, "e", EXP_E);
  one(DIGITS, "E", EXP_E);

  digits(MANTISSA, MANTISSA_DIGITS);

  set(MANTISSA_DIGITS, 0, 255, LOOKAHEAD | EMIT | Token.Float);
  digits(MANTISSA_DIGITS, MANTISSA_DIGITS);
  one(MANTISSA_DIGITS, "e", EXP_E);
  one(MANTISSA_DIGITS, "E", EXP_E);

  one(EXP_E, "+", EXP_SIGN);
  one(EXP_E, "-", EXP_SIGN);
  digits(EXP_E, EXP_DIGITS);
  digits(EXP_SIGN, EXP_DIGITS);

  set(EXP_DIGITS, 0, 255, LOOKAHEAD | EMIT | Token.Float);
  digits(EXP_DIGITS, EXP_DIGITS);

  set(KEYWORD, 0, 255, LOOKAHEAD | EMIT | Token.Keyword);
  set(KEYWORD, ch("a"), ch("z"), KEYWORD);

  one(START, '"', DQ_STRING);
  one(START, "'", SQ_STRING);
  one(START, "0", ZERO);
  set(START, ch("1"), ch("9"), DIGITS);
  one(START, "-", SIGN);
  one(START, "{", EMIT | Token.LCurly);
  one(START, "}", EMIT | Token.RCurly);
  one(START, "[", EMIT | Token.LSquare);
  one(START, "]", EMIT | Token.RSquare);
  one(START, ":", EMIT | Token.Colon);
  one(START, ",", EMIT | Token.Comma);
  set(START, ch("a"), ch("z"), KEYWORD);
  for (const ws of " \t\r\n") one(START, ws, START);

  set(RECOVERY, 0, 255, RECOVERY);
  set(RECOVERY, 0, 0x1f, LOOKAHEAD | START);
  one(RECOVERY, "\t", RECOVERY);
  set(RECOVERY, 0xfe, 0xff, LOOKAHEAD | START);
  for (const s of "{}[]:,") one(RECOVERY, s, LOOKAHEAD | START);
  return t;
}

const TABLE = buildTable();

export class JsonLexer {
  private state = START;
  /** Bytes of a token that began in an earlier chunk. */
  private carry = new Uint8Array(64);
  private carryLength = 0;
  private stopRequested = false;
  /** Index in the chunk of the byte being read when the last token was emitted. */
  byteIndex = 0;

  constructor(
    private readonly sink: TokenSink,
    private readonly maxTokenBytes: number = 64 * 1024 * 1024,
  ) {}

  /** Makes the running {@link feed} return after the byte it is on; used for read back-pressure. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Forgets any partial token, as after a connection reset. */
  reset(): void {
    this.state = START;
    this.carryLength = 0;
  }

  /** True when a token has been started but not finished. */
  get midToken(): boolean {
    return this.state !== START && this.state !== RECOVERY;
  }

  /**
   * Lexes `chunk[start, end)`. Returns the index of the first byte not consumed: `end`, or
   * earlier when {@link stop} was called from the sink (the byte that finished the message is
   * always processed completely first, as QEMU reads byte by byte).
   */
  feed(chunk: Uint8Array, start = 0, end = chunk.length): number {
    this.stopRequested = false;
    let state = this.state;
    let tokenStart = state !== START && state !== RECOVERY ? start : -1;
    let i = start;
    while (i < end) {
      const entry = TABLE[(state << 8) | chunk[i]!]!;
      const lookahead = (entry & LOOKAHEAD) !== 0;
      if ((entry & EMIT) === 0) {
        const next = entry & 0x3f;
        if (lookahead) {
          // recovery found a resynchronisation point: read this byte again from the start
          state = next;
          continue;
        }
        if (state === START && next !== START) tokenStart = i;
        state = next;
        i++;
        if (this.stopRequested) break;
        continue;
      }
      const type = (entry & 0x3f) as TokenType;
      if (state === START) tokenStart = i;
      this.byteIndex = i;
      this.emit(type, chunk, tokenStart, lookahead ? i : i + 1);
      tokenStart = -1;
      state = type === Token.Error ? RECOVERY : START;
      if (!lookahead) i++;
      // Also after a token ended by the byte after it (a number, `true`): that byte is read again
      // next time. Without this, a chunk of `1 1 1 …` queued one message per two bytes.
      if (this.stopRequested) break;
    }
    this.state = state;
    if (state === START || state === RECOVERY) {
      this.carryLength = 0;
    } else {
      this.saveCarry(chunk, tokenStart, i);
    }
    return i;
  }

  private emit(type: TokenType, chunk: Uint8Array, start: number, end: number): void {
    if (this.carryLength > 0) {
      this.appendCarry(chunk, start, end);
      const len = this.carryLength;
      this.carryLength = 0;
      this.sink(type, this.carry, 0, len);
    } else {
      this.sink(type, chunk, start, end);
    }
  }

  private saveCarry(chunk: Uint8Array, start: number, end: number): void {
    this.appendCarry(chunk, start, end);
    if (this.carryLength > this.maxTokenBytes) {
      // QEMU hands the oversized token on and starts afresh, without the recovery state
      const len = this.carryLength;
      this.carryLength = 0;
      this.state = START;
      this.sink(Token.Oversize, this.carry, 0, len);
      if (this.carry.length > 1 << 20) this.carry = new Uint8Array(64);
    }
  }

  private appendCarry(chunk: Uint8Array, start: number, end: number): void {
    const need = this.carryLength + (end - start);
    if (need > this.carry.length) {
      let size = this.carry.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(chunk.subarray(start, end), this.carryLength);
    this.carryLength = need;
  }
}
