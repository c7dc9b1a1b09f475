/**
 * Progress on stderr while the bench runs: on a terminal one status line rewritten in place, elsewhere
 * (CI, a pipe) a plain line at most every few seconds, so a log stays readable.
 */
const PLAIN_STATUS_EVERY_MS = 5000;

export class ProgressReporter {
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private statusShown = false;

  constructor(
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
    private readonly tty: boolean = process.stderr.isTTY === true,
  ) {}

  elapsed(): string {
    const s = Math.floor((Date.now() - this.startedAt) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }

  /** A line that stays (a step started or finished). */
  log(line: string): void {
    this.clearStatus();
    this.write(`[${this.elapsed()}] ${line}\n`);
  }

  /** A transient status (counts and rates while a phase runs). */
  status(line: string): void {
    if (this.tty) {
      this.write(`\r\x1b[2K[${this.elapsed()}] ${line}`);
      this.statusShown = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt < PLAIN_STATUS_EVERY_MS) return;
    this.lastPlainAt = now;
    this.write(`[${this.elapsed()}]   ${line}\n`);
  }

  private clearStatus(): void {
    if (this.tty && this.statusShown) this.write("\r\x1b[2K");
    this.statusShown = false;
  }
}
