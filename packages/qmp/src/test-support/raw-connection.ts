import net from "node:net";

/** A plain socket for byte-level tests: write raw bytes, read until a marker appears. */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  static connect(target: string | { port: number; host?: string }): Promise<RawConnection> {
    const socket = typeof target === "string" ? net.connect(target) : net.connect(target.port, target.host ?? "127.0.0.1");
    return new Promise((resolve, reject) => {
      socket.once("connect", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(data: Uint8Array | string): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /** Everything received so far, taken out of the buffer. */
  take(): string {
    const text = this.buffer.toString("latin1");
    this.buffer = Buffer.alloc(0);
    return text;
  }

  /** Waits until the buffer contains `marker`; returns and removes the text up to and including it. */
  async readUntil(marker: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.buffer.toString("latin1");
      const at = text.indexOf(marker);
      if (at >= 0) {
        const end = at + marker.length;
        this.buffer = this.buffer.subarray(Buffer.byteLength(text.slice(0, end), "latin1"));
        return text.slice(0, end);
      }
      if (this.closed) throw new Error(`connection closed before ${JSON.stringify(marker)}; got ${JSON.stringify(text)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${JSON.stringify(marker)}; got ${JSON.stringify(text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Reads one CRLF-terminated message. */
  readLine(timeoutMs?: number): Promise<string> {
    return this.readUntil("\r\n", timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }
}
