// The PyTorch column: finds (or sets up) a Python with torch, checks the reference code location, and keeps
// torch_driver.py running per checkpoint and thread count, one timed call per request, so that the bench can
// alternate them with the library's calls. Every reason not to run is one line.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { StageSample } from "./stats.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const DRIVER = join(HERE, "torch_driver.py");
const SETUP = join(ROOT, "scripts", "setup-torch.sh");
const IMPORTS = "import torch, transformers, PIL, safetensors, einops, requests; print(torch.__version__)";

/** A ready PyTorch column: the interpreter, the reference folder and the torch version. */
export interface TorchEnv {
  python: string;
  ref: string;
  torch: string;
}

export type TorchAvailability = { ok: true; env: TorchEnv } | { ok: false; reason: string };

function probeTorch(python: string): string | null {
  const r = spawnSync(python, ["-c", IMPORTS], { encoding: "utf8", timeout: 120_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * The reference comes from `VLA_MOLMOACT2_REF` (a folder holding `molmoact2_hf_model/`, or that folder);
 * Python from `VLA_TORCH_PYTHON`, else `<repo>/.venv-torch`, else `scripts/setup-torch.sh` creates that venv
 * from this machine's pip indexes (its output is shown; it never fails the bench).
 */
export function findTorch(log: (s: string) => void): TorchAvailability {
  const ref = process.env.VLA_MOLMOACT2_REF;
  if (!ref) return { ok: false, reason: "VLA_MOLMOACT2_REF is not set (the folder of the reference molmoact2_hf_model package)" };
  if (!existsSync(join(ref, "molmoact2_hf_model", "modeling_molmoact2.py")) && !existsSync(join(ref, "modeling_molmoact2.py"))) {
    return { ok: false, reason: `VLA_MOLMOACT2_REF=${ref} holds no molmoact2_hf_model/modeling_molmoact2.py` };
  }
  let python = process.env.VLA_TORCH_PYTHON;
  if (python) {
    const v = probeTorch(python);
    return v ? { ok: true, env: { python, ref, torch: v } } : { ok: false, reason: `VLA_TORCH_PYTHON=${python} cannot import torch, transformers, PIL, safetensors, einops and requests` };
  }
  python = join(ROOT, ".venv-torch", "bin", "python");
  let v = existsSync(python) ? probeTorch(python) : null;
  if (!v) {
    if (spawnSync("bash", ["-c", "command -v python3"], { encoding: "utf8" }).status !== 0) return { ok: false, reason: "no python3 on PATH (or set VLA_TORCH_PYTHON)" };
    log("PyTorch venv missing or incomplete: running scripts/setup-torch.sh (one-time, from this machine's pip indexes)");
    const r = spawnSync("bash", [SETUP], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 30 * 60_000 });
    const lines = (r.stdout ?? "").trim().split("\n");
    for (const l of lines) log(`  ${l}`);
    const ready = lines.map((l) => /^setup-torch: ready (.+)$/.exec(l)).find((m) => m);
    if (!ready) return { ok: false, reason: `scripts/setup-torch.sh could not install torch (${lines[lines.length - 1] ?? "no output"})` };
    python = ready[1];
    v = probeTorch(python);
    if (!v) return { ok: false, reason: `${python} cannot import torch after setup` };
  }
  return { ok: true, env: { python, ref, torch: v } };
}

/** The checkpoint and observation the driver loads (see torch_driver.py). */
export interface TorchJob {
  checkpoint: string;
  image: string;
  task: string;
  state: readonly number[];
  norm_tag: string;
  threads: number;
}

export type TorchCommand = { cmd: "continuous" | "think"; seed: number } | { cmd: "discrete"; tokens: number };

/** One running driver: the reference model loaded at a fixed thread count, answering timed calls. */
export class TorchSide {
  readonly name: string;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly dir: string,
    readonly threads: number,
    readonly info: { torch: string; params: number; loadS: number },
    private readonly stderrTail: string[],
  ) {
    this.name = `torch-${threads}t`;
  }

  /** Start the driver and wait until its model is loaded; progress lines are logged. */
  static async start(env: TorchEnv, job: TorchJob, log: (s: string) => void): Promise<TorchSide> {
    const dir = mkdtempSync(join(tmpdir(), "vla-torch-"));
    const jobPath = join(dir, "job.json");
    writeFileSync(jobPath, JSON.stringify({ ...job, ref: env.ref }));
    const t = String(job.threads);
    const child = spawn(env.python, [DRIVER, jobPath], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, PYTHONWARNINGS: "ignore", PYTHONUNBUFFERED: "1" },
    });
    const tail: string[] = [];
    createInterface({ input: child.stderr }).on("line", (line) => {
      if (line.startsWith("  [torch]")) log(line.replace("[torch]", `[torch ${t}t]`));
      else if (line.trim()) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) {
      await new Promise((r) => child.once("close", r));
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`torch driver exited before loading: ${tail.slice(-6).join(" | ")}`);
    }
    const ready = JSON.parse(first.value) as { torch: string; params: number; loadS: number };
    return new TorchSide(child, lines, dir, job.threads, { torch: ready.torch, params: ready.params, loadS: ready.loadS }, tail);
  }

  /** One timed call; rejects with the reference's exception text when it raised. */
  async call(c: TorchCommand): Promise<StageSample> {
    this.child.stdin.write(JSON.stringify(c) + "\n");
    const r = await this.lines.next();
    if (r.done) throw new Error(`torch driver exited: ${this.stderrTail.slice(-6).join(" | ")}`);
    const msg = JSON.parse(r.value) as { ok: boolean; sample?: StageSample; error?: string };
    if (!msg.ok || !msg.sample) throw new Error(`reference ${c.cmd}: ${msg.error}`);
    return msg.sample;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.stdin.write(JSON.stringify({ cmd: "quit" }) + "\n");
      this.child.stdin.end();
      await new Promise((r) => this.child.once("close", r));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
