import { spawnSync } from "node:child_process";

/**
 * Synthetic test videos whose frames carry their own number: 16 bits as 4 × 4 blocks of 16 × 16 pixels
 * (white = 1), big enough to survive lossy coding. Encoded by the ffmpeg that `scripts/setup-video.sh`
 * installs (no download, nothing committed).
 */
export const SYNTH_W = 64;
export const SYNTH_H = 64;

let available: boolean | undefined;
export function ffmpegAvailable(): boolean {
  available ??= spawnSync(process.env.VLA_FFMPEG || "ffmpeg", ["-hide_banner", "-version"], { encoding: "utf8" }).status === 0;
  return available;
}

const announced = new Set<string>();
/** For `describe.skipIf(missingFfmpeg("group"))`: true without ffmpeg, and then one line saying what is skipped and why. */
export function missingFfmpeg(group: string): boolean {
  if (ffmpegAvailable()) return false;
  if (!announced.has(group)) {
    announced.add(group);
    console.info(`[skip] ${group}: ffmpeg is not installed (or VLA_FFMPEG does not run); install it with \`bash scripts/setup-video.sh\` (Debian: apt-get install ffmpeg)`);
  }
  return true;
}

/** Packed RGB of frame `n`. */
export function synthFrame(n: number): Uint8Array {
  const out = new Uint8Array(SYNTH_W * SYNTH_H * 3);
  for (let y = 0; y < SYNTH_H; y++) {
    for (let x = 0; x < SYNTH_W; x++) {
      const bit = (y >> 4) * 4 + (x >> 4);
      const v = (n >> bit) & 1 ? 235 : 20;
      out.set([v, v, v], (y * SYNTH_W + x) * 3);
    }
  }
  return out;
}

/** The frame number a decoded synthetic frame carries (reads the centre pixel of each block). */
export function synthNumber(rgb: Uint8Array, width = SYNTH_W): number {
  let n = 0;
  for (let bit = 0; bit < 16; bit++) {
    const x = (bit % 4) * 16 + 8;
    const y = Math.floor(bit / 4) * 16 + 8;
    if (rgb[(y * width + x) * 3 + 1] > 128) n |= 1 << bit;
  }
  return n;
}

/** Encode frames `first .. first+count-1` at `fps` into `file` with the given ffmpeg encoder arguments. */
export function encodeSynth(file: string, count: number, fps: number, codecArgs: string[], first = 0): void {
  const raw = new Uint8Array(count * SYNTH_W * SYNTH_H * 3);
  for (let i = 0; i < count; i++) raw.set(synthFrame(first + i), i * SYNTH_W * SYNTH_H * 3);
  const r = spawnSync(
    process.env.VLA_FFMPEG || "ffmpeg",
    ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${SYNTH_W}x${SYNTH_H}`, "-r", String(fps), "-i", "pipe:0", ...codecArgs, "-pix_fmt", "yuv420p", file],
    { input: raw, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not encode ${file}: ${r.stderr}`);
}
