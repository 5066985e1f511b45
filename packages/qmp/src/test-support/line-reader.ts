import type { ByteStream } from "../byte-stream.js";

/** Reads CRLF-terminated messages from a stream (test helper for in-memory pipes). */
export class LineReader {
  private text = "";
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly stream: ByteStream) {
    const decoder = new TextDecoder();
    stream.on("data", (chunk: Uint8Array) => {
      this.text += decoder.decode(chunk, { stream: true });
      this.wake();
    });
    stream.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  get buffered(): string {
    return this.text;
  }

  write(text: string): void {
    this.stream.write(new TextEncoder().encode(text));
  }

  async readUntil(marker: string): Promise<string> {
    for (;;) {
      const at = this.text.indexOf(marker);
      if (at >= 0) {
        const out = this.text.slice(0, at + marker.length);
        this.text = this.text.slice(at + marker.length);
        return out;
      }
      if (this.closed) throw new Error(`closed before ${JSON.stringify(marker)}; have ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  readLine(): Promise<string> {
    return this.readUntil("\r\n");
  }

  /** Reads one message and parses it. */
  async readJson(): Promise<any> {
    return JSON.parse(await this.readLine());
  }

  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

/** A promise with its resolve function, to hold a command handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
