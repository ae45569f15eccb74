import type { CliIo } from "./cli-io.js";

/**
 * A one-line progress bar on stderr. Drawn only when `enabled` (stderr is a TTY, or `--progress`);
 * otherwise every call is a no-op, so CI logs stay clean. Redraws at most every 100 ms.
 */
export class Progress {
  private done = 0;
  private last = 0;
  private finished = false;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {
    this.draw(true);
  }

  /** Advance by `n` steps. */
  tick(n = 1): void {
    this.done += n;
    this.draw(false);
  }

  /** Set the absolute number of steps done. */
  update(done: number): void {
    this.done = done;
    this.draw(false);
  }

  /** Draw the final state and end the line. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.done = Math.max(this.done, this.total);
    this.draw(true);
    if (this.enabled) this.io.stderr("\n");
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100 && this.done < this.total) return;
    this.last = now;
    const width = 24;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const full = Math.round(frac * width);
    this.io.stderr(`\r${this.label} [${"#".repeat(full)}${"-".repeat(width - full)}] ${this.done}/${this.total}`);
  }
}

/** Whether progress bars are on: `--progress` forces them, `--no-progress` silences them, else only on a TTY. */
export function progressEnabled(io: CliIo, values: Record<string, unknown>): boolean {
  if (values["no-progress"] === true) return false;
  if (values.progress === true) return true;
  return io.stderrIsTTY;
}
