// A one-line progress bar on stderr, redrawn in place with \r. When stderr is not a terminal (CI,
// a test capturing output) it redraws at most once a second so logs stay short.

export class ProgressBar {
  private lastDraw = 0;
  private lastWidth = 0;
  private readonly interval: number;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 28,
  ) {
    this.interval = stream.isTTY ? 100 : 1_000;
  }

  /** Redraws `label [####----] done/total pct detail`, throttled unless `force`. */
  update(label: string, done: number, total: number, detail = '', force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < this.interval) return;
    this.lastDraw = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * this.width);
    const bar = '#'.repeat(filled) + '-'.repeat(this.width - filled);
    const line = `${label.padEnd(10)} [${bar}] ${String(done).padStart(String(total).length)}/${total} ${(ratio * 100).toFixed(0).padStart(3)}% ${detail}`;
    const pad = ' '.repeat(Math.max(0, this.lastWidth - line.length));
    this.lastWidth = line.length;
    this.stream.write(`\r${line}${pad}`);
  }

  /** Draws the final state of the current phase and moves to a new line. */
  finish(label: string, done: number, total: number, detail = ''): void {
    this.update(label, done, total, detail, true);
    this.stream.write('\n');
    this.lastWidth = 0;
  }
}
