/** Where a CLI command writes. Commands never touch `process` directly, so tests can capture output. */
export interface CliIo {
  /** Write to standard output (results). */
  stdout(text: string): void;
  /** Write to standard error (progress, warnings, errors). */
  stderr(text: string): void;
  /** True when stderr is a terminal: progress bars are drawn only then (or with `--progress`). */
  stderrIsTTY: boolean;
}

/** A usage or input error: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}
