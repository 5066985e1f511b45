/**
 * The monitor's line editor, behaving like QEMU's readline on a socket: every byte redraws the
 * line (`ESC[D` back to the start, the line, `ESC[K`), `\r` or `\n` ends it, arrows move and
 * recall history, TAB completes. Text is kept as byte strings (one char per byte).
 */

export interface LineEditorOptions {
  /** Redraw the line as QEMU does (default true); off prints nothing while typing. */
  echo?: boolean;
  /** Bytes kept per line; more are ignored (QEMU: 4096 minus the terminator). */
  maxLength?: number;
  /** Lines kept for up-arrow (QEMU: 64). */
  historySize?: number;
  /** Candidates for the word being completed; `line` is the text before the cursor. */
  complete?: (line: string) => string[];
}

const NORMAL = 0;
const ESC = 1;
const CSI = 2;
const SS3 = 3;

export class LineEditor {
  readonly history: string[] = [];
  private line = "";
  private cursor = 0;
  private drawn = "";
  private drawnCursor = 0;
  private mode = NORMAL;
  private csiParam = "";
  private historyIndex = -1;
  private readonly echo: boolean;
  private readonly maxLength: number;
  private readonly historySize: number;

  constructor(
    private readonly out: (text: string) => void,
    private readonly prompt: string,
    private readonly options: LineEditorOptions = {},
  ) {
    this.echo = options.echo !== false;
    this.maxLength = options.maxLength ?? 4095;
    this.historySize = options.historySize ?? 64;
  }

  /** Prints the prompt; the next redraw starts from column 0 after it. */
  showPrompt(): void {
    this.out(this.prompt);
    this.drawn = "";
    this.drawnCursor = 0;
  }

  /** Handles one input byte; returns the line when Enter completes one. */
  feed(byte: number): string | undefined {
    switch (this.mode) {
      case ESC:
        this.mode = byte === 0x5b ? CSI : byte === 0x4f ? SS3 : NORMAL;
        this.csiParam = "";
        return undefined;
      case SS3:
        this.mode = NORMAL;
        if (byte === 0x48) this.cursor = 0;
        else if (byte === 0x46) this.cursor = this.line.length;
        this.redraw();
        return undefined;
      case CSI:
        if (byte >= 0x30 && byte <= 0x39) {
          this.csiParam += String.fromCharCode(byte);
          return undefined;
        }
        this.mode = NORMAL;
        this.csi(byte);
        this.redraw();
        return undefined;
    }
    switch (byte) {
      case 0x0d:
      case 0x0a: {
        const done = this.line;
        if (done !== "") this.addHistory(done);
        this.out("\n");
        this.line = "";
        this.cursor = 0;
        this.drawn = "";
        this.drawnCursor = 0;
        this.historyIndex = -1;
        return done;
      }
      case 0x1b:
        this.mode = ESC;
        return undefined;
      case 0x7f:
      case 0x08:
        if (this.cursor > 0) {
          this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
          this.cursor--;
        }
        break;
      case 0x09:
        this.completeWord();
        return undefined;
      case 0x01:
        this.cursor = 0;
        break;
      case 0x05:
        this.cursor = this.line.length;
        break;
      default:
        if (byte >= 0x20 && this.line.length < this.maxLength) {
          this.line = this.line.slice(0, this.cursor) + String.fromCharCode(byte) + this.line.slice(this.cursor);
          this.cursor++;
        }
    }
    this.redraw();
    return undefined;
  }

  private csi(final: number): void {
    switch (final) {
      case 0x41: // up
        if (this.history.length === 0) return;
        this.historyIndex = this.historyIndex < 0 ? this.history.length - 1 : Math.max(0, this.historyIndex - 1);
        this.setLine(this.history[this.historyIndex]!);
        return;
      case 0x42: // down
        if (this.historyIndex < 0) return;
        if (this.historyIndex < this.history.length - 1) {
          this.historyIndex++;
          this.setLine(this.history[this.historyIndex]!);
        } else {
          this.historyIndex = -1;
          this.setLine("");
        }
        return;
      case 0x43:
        if (this.cursor < this.line.length) this.cursor++;
        return;
      case 0x44:
        if (this.cursor > 0) this.cursor--;
        return;
      case 0x48:
        this.cursor = 0;
        return;
      case 0x46:
        this.cursor = this.line.length;
        return;
      case 0x7e: // ESC[n~: 1 home, 3 delete, 4 end
        if (this.csiParam === "1") this.cursor = 0;
        else if (this.csiParam === "4") this.cursor = this.line.length;
        else if (this.csiParam === "3" && this.cursor < this.line.length) {
          this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
        }
        return;
    }
  }

  private setLine(text: string): void {
    this.line = text;
    this.cursor = text.length;
  }

  private addHistory(line: string): void {
    const i = this.history.indexOf(line);
    if (i >= 0) this.history.splice(i, 1);
    this.history.push(line);
    if (this.history.length > this.historySize) this.history.shift();
  }

  private completeWord(): void {
    const before = this.line.slice(0, this.cursor);
    const candidates = this.options.complete?.(before) ?? [];
    const word = /\S*$/.exec(before)![0];
    if (candidates.length === 1) {
      const rest = candidates[0]!.slice(word.length) + " ";
      this.line = before + rest + this.line.slice(this.cursor);
      this.cursor += rest.length;
      this.redraw();
    } else if (candidates.length > 1) {
      const width = Math.min(80, Math.max(10, Math.max(...candidates.map((c) => c.length)) + 2));
      const perLine = Math.max(1, Math.floor(80 / width));
      let text = "\n";
      candidates.sort().forEach((c, i) => {
        text += c.padEnd(width);
        if ((i + 1) % perLine === 0 || i === candidates.length - 1) text += "\n";
      });
      this.out(text);
      this.showPrompt();
      this.redraw();
    }
  }

  private redraw(): void {
    if (!this.echo) {
      this.drawn = this.line;
      this.drawnCursor = this.cursor;
      return;
    }
    let text = "";
    if (this.line !== this.drawn) {
      text += "\x1b[D".repeat(this.drawnCursor) + this.line + "\x1b[K";
      this.drawn = this.line;
      this.drawnCursor = this.line.length;
    }
    if (this.cursor !== this.drawnCursor) {
      const delta = this.cursor - this.drawnCursor;
      text += (delta > 0 ? "\x1b[C" : "\x1b[D").repeat(Math.abs(delta));
      this.drawnCursor = this.cursor;
    }
    if (text) this.out(text);
  }
}
