import type { CliIo } from "./cli-io.js";

/**
 * A one-line progress bar on stderr. Drawn only when `enabled` (stderr is a TTY, or `--progress`);
 * otherwise every call is a no-op, so CI logs stay clean. Redraws at most every 100 ms. A `total` of 0 means
 * unknown: the line then shows the count without a bar.
 */
export class Progress {
  private done = 0;
  private last = 0;
  private finished = false;
  private note = "";
  private width = 0;

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

  /** Set the absolute number of steps done, and optionally a note shown after the count. */
  update(done: number, note?: string): void {
    this.done = done;
    if (note !== undefined) this.note = note;
    this.draw(false);
  }

  /** Draw the final state and end the line. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.total > 0) this.done = Math.max(this.done, this.total);
    this.draw(true);
    if (this.enabled) this.io.stderr("\n");
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100 && (this.total === 0 || this.done < this.total)) return;
    this.last = now;
    const note = this.note ? ` ${this.note}` : "";
    let text: string;
    if (this.total > 0) {
      const width = 24;
      const frac = Math.min(1, this.done / this.total);
      const full = Math.round(frac * width);
      text = `${this.label} [${"#".repeat(full)}${"-".repeat(width - full)}] ${this.done}/${this.total}${note}`;
    } else text = `${this.label} ${this.done}${note}`;
    // Pad over a longer previous line so no stale characters remain after the carriage return.
    const pad = Math.max(0, this.width - text.length);
    this.width = text.length;
    this.io.stderr(`\r${text}${" ".repeat(pad)}`);
  }
}

/** Whether progress bars are on: `--progress` forces them, `--no-progress` silences them, else only on a TTY. */
export function progressEnabled(io: CliIo, values: Record<string, unknown>): boolean {
  if (values["no-progress"] === true) return false;
  if (values.progress === true) return true;
  return io.stderrIsTTY;
}
