#!/usr/bin/env bash
# CPU PyTorch for `npm run bench -- model-vs-torch` (the reference column): a private venv, by default
# <repo>/.venv-torch (git-ignored), with torch 2.14.1, torchvision 0.29.1, transformers 5.18.0 and the small
# packages the reference MolmoAct2 code imports. Installs only from the pip indexes / find-links this machine
# is already configured with (pip.conf, PIP_* variables); nothing else is contacted.
#
# torch 2.14.1's wheel metadata requires cuda-bindings and triton, which this machine's mirrors do not carry;
# torch and torchvision are therefore installed with --no-deps and then every other requirement torch lists
# (filelock, sympy, ..., and the nvidia-* runtime wheels its CUDA build loads at import, ~3 GB). CPU use is
# unaffected by the two left out (they serve CUDA kernels and torch.compile on GPUs).
#
# Idempotent and tolerant: prints what it did or why it could not, and exits 0 either way (the bench then
# skips the PyTorch column with a one-line message). The last line on success is `setup-torch: ready <python>`.
#   bash scripts/setup-torch.sh [VENV_DIR]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=$(realpath -m "${1:-${VLA_TORCH_VENV:-$ROOT/.venv-torch}}")
PY="$VENV/bin/python"
TORCH=2.14.1
TORCHVISION=0.29.1
TRANSFORMERS=5.18.0

skip() { echo "setup-torch: $1; skipping (the bench will skip the PyTorch column)"; exit 0; }
check() { "$PY" -c 'import torch, torchvision, transformers, numpy, PIL, einops, safetensors, requests; print(torch.__version__, torchvision.__version__, transformers.__version__)' 2>/dev/null; }

if [ -x "$PY" ] && versions=$(check); then
  echo "setup-torch: already installed in $VENV ($versions)"
  echo "setup-torch: ready $PY"
  exit 0
fi
BASE=${VLA_PYTHON:-}
if [ -z "$BASE" ]; then
  for c in python3.11 python3.12 python3.10 python3; do
    if command -v "$c" >/dev/null 2>&1; then BASE=$(command -v "$c"); break; fi
  done
fi
[ -n "$BASE" ] || skip "no python3 on PATH (set VLA_PYTHON)"
"$BASE" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null || skip "$BASE is older than Python 3.10"
if [ ! -x "$PY" ]; then
  echo "setup-torch: creating $VENV from $BASE"
  "$BASE" -m venv "$VENV" >/dev/null 2>&1 || skip "python -m venv failed (is the venv module installed?)"
fi
pipi() {
  echo "setup-torch: pip install $*"
  # after --no-deps, pip's resolver lists torch's two missing CUDA-only requirements; those lines are expected
  "$PY" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | grep -v -e "which is not installed" -e "dependency resolver does not currently" -e "^WARNING: Retrying" -e "is ignored: it is neither"
  [ "${PIPESTATUS[0]}" = "0" ] || skip "pip install failed (a package not on this machine's indexes?)"
}
pipi --no-deps "torch==$TORCH" "torchvision==$TORCHVISION"
# torch's own requirement list, less extras and the two packages the mirrors lack (pip evaluates the markers)
REQS=$("$PY" -c '
import re
from importlib.metadata import requires
for r in requires("torch") or []:
    name = re.split(r"[\s;<>=!~\[]", r, maxsplit=1)[0].lower()
    if "extra ==" not in r and name not in ("cuda-bindings", "triton"):
        print(r)
') || skip "cannot read torch's requirements"
mapfile -t REQ_LIST <<<"$REQS"
pipi "${REQ_LIST[@]}"
# the reference MolmoAct2 code: transformers (its own deps; it does not pull torch), image processing, weights,
# requests (imported by its video processor)
pipi "transformers==$TRANSFORMERS" numpy pillow einops safetensors requests
versions=$(check) || skip "torch does not import after the install"
echo "setup-torch: installed in $VENV ($versions)"
echo "setup-torch: ready $PY"
