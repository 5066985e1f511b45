/**
 * virsh's `--verbose` progress for save and restore: `Save: [ 42 %]`. On a terminal the line is
 * redrawn in place with a bar; elsewhere (a pipe, a log) each new percentage is a line of its own.
 */
export interface JobProgress {
  update(percent: number): void;
  finish(): void;
}

const BAR_WIDTH = 30;

export function jobProgress(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): JobProgress {
  if (!enabled) return { update() {}, finish() {} };
  let last = -1;
  const tty = stream.isTTY === true;
  const line = (percent: number): string => `${label}: [${String(percent).padStart(3)} %]`;
  return {
    update(percent) {
      const p = Math.max(0, Math.min(100, Math.floor(percent)));
      if (p === last) return;
      last = p;
      if (tty) {
        const filled = Math.round((p * BAR_WIDTH) / 100);
        stream.write(`\r${line(p)} [${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}]`);
      } else stream.write(`${line(p)}\n`);
    },
    finish() {
      if (last < 100) this.update(100);
      if (tty) stream.write("\n");
    },
  };
}
