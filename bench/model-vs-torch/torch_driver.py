#!/usr/bin/env python
"""Times the reference PyTorch MolmoAct2 `predict_action` per stage, on the CPU, for the model-vs-torch bench.

    python torch_driver.py JOB.json

JOB.json (written by bench/model-vs-torch/torch-runner.ts):
  ref          folder holding the reference package `molmoact2_hf_model/` (or that folder itself); it is
               imported from there, never copied
  checkpoint   a snapshot folder: config.json, model.safetensors, tokenizer.json, processor_config.json,
               norm_stats.json
  image        a PNG (the main camera), task, state (raw robot units), norm_tag
  threads      torch intra-op threads

It loads the model, prints one JSON line `{"ready": true, ...}` on stdout, then serves one timed call per
JSON line on stdin (`{"cmd": "continuous" | "think", "seed": n}`, `{"cmd": "discrete", "tokens": k}`,
`{"cmd": "quit"}`), answering each with one JSON line of ms per stage. The bench alternates these calls with
the library's own, so both columns see the same machine load.

Stages are observed by wrapping the reference model's own methods on the loaded instance (nothing of the
model is re-implemented): the vision backbone's forward (ViT + connector), the inner model's forward (prefill
= it minus vision), `generate_actions_from_inputs` (expert = it minus the forward it makes), the flow loop,
`_generate_depth_prefix` and every `_run_ar_decode_step` (discrete / depth decode steps). Two things are
steered the way the library's bench steers its own model, since random weights never stop on their own:
- Think: a forward hook on `lm_head` makes `<depth_end>` the argmax of the full-vocabulary logits after the
  100 codes (the codes themselves come from the depth rows of `lm_head.weight`, untouched), = `forceDepthEnd`.
- discrete: EOS is banned from the decode-step logits and the reference's loop is stopped once
  `decode_tokens` steps have been timed.
Everything else the reference or its libraries print goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def log(msg: str) -> None:
    print(f"  [torch] {msg}", file=sys.stderr, flush=True)


def import_reference(ref: str):
    """Import `molmoact2_hf_model` from `ref` (its parent, or the package folder itself)."""
    root = Path(ref).resolve()
    if (root / "molmoact2_hf_model").is_dir():
        parent = root
    elif root.name == "molmoact2_hf_model" and (root / "modeling_molmoact2.py").is_file():
        parent = root.parent
    else:
        raise SystemExit(f"no molmoact2_hf_model/ package in {root}")
    sys.path.insert(0, str(parent))
    from molmoact2_hf_model import modeling_molmoact2 as modeling  # noqa: E402
    from molmoact2_hf_model.configuration_molmoact2 import MolmoAct2Config  # noqa: E402
    from molmoact2_hf_model.image_processing_molmoact2 import MolmoAct2ImageProcessor  # noqa: E402
    from molmoact2_hf_model.processing_molmoact2 import MolmoAct2Processor  # noqa: E402
    from molmoact2_hf_model.video_processing_molmoact2 import MolmoAct2VideoProcessor  # noqa: E402

    return modeling, MolmoAct2Config, MolmoAct2ImageProcessor, MolmoAct2VideoProcessor, MolmoAct2Processor


def build_processor(ckpt: Path, tmp: Path, classes):
    """The processor the checkpoint describes: its processor_config.json and tokenizer.json, with the fixture's
    special-token roles (EOS <|im_end|>, pad <|endoftext|>, no BOS) given in a tokenizer_config.json beside it."""
    from transformers import Qwen2Tokenizer

    _, _, ImageProcessor, VideoProcessor, Processor = classes
    cfg = json.loads((ckpt / "processor_config.json").read_text())
    (tmp / "tokenizer.json").write_bytes((ckpt / "tokenizer.json").read_bytes())
    tok_cfg = ckpt / "tokenizer_config.json"
    if tok_cfg.exists():
        (tmp / "tokenizer_config.json").write_bytes(tok_cfg.read_bytes())
    else:
        (tmp / "tokenizer_config.json").write_text(json.dumps({
            "tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
            "bos_token": None, "unk_token": None, "add_prefix_space": False, "clean_up_tokenization_spaces": False,
        }))
    drop = {"auto_map", "processor_class", "image_processor_type", "video_processor_type"}
    image = ImageProcessor(**{k: v for k, v in (cfg.get("image_processor") or {}).items() if k not in drop})
    video = VideoProcessor(**{k: v for k, v in (cfg.get("video_processor") or {}).items() if k not in drop})
    tokenizer = Qwen2Tokenizer.from_pretrained(str(tmp))
    return Processor(
        image_processor=image,
        video_processor=video,
        tokenizer=tokenizer,
        chat_template=None,
        image_use_col_tokens=cfg.get("image_use_col_tokens", True),
        use_single_crop_col_tokens=cfg.get("use_single_crop_col_tokens"),
        use_single_crop_start_token=cfg.get("use_single_crop_start_token", True),
        video_use_col_tokens=cfg.get("video_use_col_tokens", False),
        use_frame_special_tokens=cfg.get("use_frame_special_tokens", True),
    )


class StopDecode(Exception):
    """Ends a discrete run once enough decode steps were timed."""


class Stages:
    """Wall-clock intervals of wrapped methods, per key, for the current run."""

    def __init__(self):
        self.calls: dict[str, list[tuple[float, float]]] = {}
        self.stop_after_steps: int | None = None

    def reset(self, stop_after_steps: int | None = None):
        self.calls = {}
        self.stop_after_steps = stop_after_steps

    def wrap(self, obj, name: str, key: str):
        orig = getattr(obj, name)
        stages = self

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return orig(*args, **kwargs)
            finally:
                stages.calls.setdefault(key, []).append((t0, time.perf_counter()))
                n = len(stages.calls[key])
                if key == "step" and stages.stop_after_steps is not None and n >= stages.stop_after_steps:
                    raise StopDecode()

        setattr(obj, name, timed)

    def total(self, key: str) -> float:
        return sum(b - a for a, b in self.calls.get(key, []))

    def first(self, key: str) -> float:
        c = self.calls.get(key, [])
        return c[0][1] - c[0][0] if c else 0.0

    def count(self, key: str) -> int:
        return len(self.calls.get(key, []))


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    protocol = sys.stdout
    sys.stdout = sys.stderr  # only protocol lines on the real stdout
    t_import = time.perf_counter()
    import numpy as np
    import torch
    from PIL import Image

    threads = int(job.get("threads", 1))
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    classes = import_reference(job["ref"])
    modeling = classes[0]
    import_s = time.perf_counter() - t_import
    ckpt = Path(job["checkpoint"])
    log(f"loading {ckpt.name} (torch {torch.__version__}, {threads} thread{'s' if threads != 1 else ''})")
    t_load = time.perf_counter()
    config = classes[1].from_pretrained(str(ckpt))
    model = modeling.MolmoAct2ForConditionalGeneration.from_pretrained(str(ckpt), config=config).eval()
    load_s = time.perf_counter() - t_load
    params = sum(p.numel() for p in model.parameters())
    log(f"loaded {params / 1e6:.1f} M parameters in {load_s:.1f} s")
    tmp = tempfile.TemporaryDirectory()
    processor = build_processor(ckpt, Path(tmp.name), classes)
    image = np.asarray(Image.open(job["image"]).convert("RGB"), dtype=np.uint8).copy()
    depth_end = int(config.depth_end_token_id)

    st = Stages()
    inner = model.model
    st.wrap(inner.vision_backbone, "forward", "vision")
    st.wrap(inner, "forward", "inner")
    st.wrap(inner, "generate_actions_from_inputs", "actions")
    st.wrap(inner, "_run_action_flow_loop", "flow")
    st.wrap(model, "_generate_depth_prefix", "depth")
    st.wrap(model, "_run_ar_decode_step", "step")

    steer = {"mode": None}  # "end": force <depth_end>; "no_eos": ban EOS (decode-step logits only)
    eos = int(config.eos_token_id)

    def steer_hook(_mod, _inp, out):
        if steer["mode"] is None or out.shape[-2] != 1:  # never the prefill's logits
            return out
        out = out.clone()
        if steer["mode"] == "end":
            out[..., depth_end] = out.max() + 1e4
        else:
            out[..., eos] = float("-inf")
        return out

    model.lm_head.register_forward_hook(steer_hook)

    class TimedProcessor:
        """The processor, its calls timed (prompt + image preprocessing, before the model runs)."""

        def __call__(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return processor(*args, **kwargs)
            finally:
                st.calls.setdefault("processor", []).append((t0, time.perf_counter()))

        def __getattr__(self, name):
            return getattr(processor, name)

    timed_processor = TimedProcessor()

    def predict(**kw):
        return model.predict_action(
            processor=timed_processor, images=[image], task=job["task"], state=job["state"], norm_tag=job["norm_tag"], **kw,
        )

    def run_continuous(seed: int) -> dict:
        st.reset()
        t0 = time.perf_counter()
        predict(inference_action_mode="continuous", generator=torch.Generator().manual_seed(seed))
        total = time.perf_counter() - t0
        vision = st.total("vision")
        return {
            "totalMs": 1e3 * total,
            "processorMs": 1e3 * st.total("processor"),
            "visionMs": 1e3 * vision,
            "prefillMs": 1e3 * (st.first("inner") - vision),
            "expertMs": 1e3 * (st.total("actions") - st.first("inner")),
            "flowLoopMs": 1e3 * st.total("flow"),
        }

    def run_think(seed: int) -> dict:
        st.reset()
        steer["mode"] = "end"
        t0 = time.perf_counter()
        try:
            predict(inference_action_mode="continuous", enable_depth_reasoning=True, depth_cache=None,
                    generator=torch.Generator().manual_seed(seed))
        finally:
            steer["mode"] = None
        total = time.perf_counter() - t0
        vision = st.total("vision")
        steps = st.count("step")
        depth = st.total("depth") - st.first("inner")
        return {
            "totalMs": 1e3 * total,
            "processorMs": 1e3 * st.total("processor"),
            "visionMs": 1e3 * vision,
            "prefillMs": 1e3 * (st.first("inner") - vision),
            "depthMs": 1e3 * depth,
            "depthSteps": steps,
            "depthStepMs": 1e3 * depth / max(1, steps),
            "expertMs": 1e3 * st.total("actions"),
            "flowLoopMs": 1e3 * st.total("flow"),
        }

    def run_discrete(tokens: int) -> dict:
        # K + 1 decode steps: the K intervals between their starts each hold argmax + lm_head + one step
        st.reset(stop_after_steps=tokens + 1)
        steer["mode"] = "no_eos"
        t0 = time.perf_counter()
        try:
            predict(inference_action_mode="discrete", action_tokenizer=object())
        except StopDecode:
            pass
        finally:
            steer["mode"] = None
        steps = st.calls.get("step", [])
        vision = st.total("vision")
        per_step = (steps[-1][0] - steps[0][0]) / max(1, len(steps) - 1) if len(steps) > 1 else float("nan")
        return {
            "visionMs": 1e3 * vision,
            "prefillMs": 1e3 * (st.first("inner") - vision),
            "decodeSteps": len(steps) - 1,
            "decodeStepMs": 1e3 * per_step,
            "elapsedMs": 1e3 * (time.perf_counter() - t0),
        }

    def reply(obj: dict) -> None:
        protocol.write(json.dumps(obj) + "\n")
        protocol.flush()

    reply({"ready": True, "torch": torch.__version__, "threads": threads, "params": params, "importS": import_s,
           "loadS": load_s, "mkldnn": bool(torch.backends.mkldnn.is_available())})
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        req = json.loads(line)
        cmd = req.get("cmd")
        if cmd == "quit":
            break
        try:
            with torch.no_grad():
                if cmd == "continuous":
                    sample = run_continuous(int(req.get("seed", 0)))
                elif cmd == "think":
                    sample = run_think(int(req.get("seed", 0)))
                elif cmd == "discrete":
                    sample = run_discrete(int(req.get("tokens", 16)))
                else:
                    raise ValueError(f"unknown command {cmd!r}")
            reply({"ok": True, "sample": sample})
        except Exception as exc:  # reported to the bench, which prints it
            reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    tmp.cleanup()


if __name__ == "__main__":
    main()
