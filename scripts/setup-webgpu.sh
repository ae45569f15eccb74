#!/usr/bin/env bash
# WebGPU under Node without a GPU: Dawn (npm `webgpu`) on Mesa 25 lavapipe (software Vulkan).
# Debian bookworm's own Mesa 22.3 lavapipe gives Dawn no adapter, so this fetches Mesa 25 from
# bookworm-backports into a private folder (default: <repo>/node_modules/.cache/vla-mesa25, ignored by
# git; run this after `npm ci`, which empties node_modules) with `apt-get download` +
# `dpkg -x`, without touching the system's apt sources or libraries, and writes DEST/env.sh.
# test/browser/webgpu-node.test.ts finds DEST/env.sh (or $VLA_MESA_DIR/env.sh) by itself.
# Idempotent, quiet, tolerant: on any failure it prints why and exits 0 (the test then skips).
#   bash scripts/setup-webgpu.sh [DEST]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=$(realpath -m "${1:-${VLA_MESA_DIR:-$ROOT/node_modules/.cache/vla-mesa25}}")
if [ -f "$DEST/env.sh" ] && [ -f "$DEST/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ]; then
  echo "setup-webgpu: lavapipe already in $DEST"
  exit 0
fi
skip() { echo "setup-webgpu: $1; skipping (the Node WebGPU test will be skipped)"; exit 0; }
command -v apt-get >/dev/null 2>&1 || skip "apt-get not available"
command -v dpkg >/dev/null 2>&1 || skip "dpkg not available"
[ "$(uname -m)" = "x86_64" ] || skip "only x86_64 is supported by this recipe"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
export DEBIAN_FRONTEND=noninteractive
# The Vulkan loader and the LLVM/xcb/wayland libraries the newer lavapipe links against.
if ! dpkg -s libvulkan1 mesa-vulkan-drivers >/dev/null 2>&1; then
  [ -n "$SUDO" ] || [ "$(id -u)" = "0" ] || skip "not root: cannot apt-get install libvulkan1 mesa-vulkan-drivers"
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends libvulkan1 mesa-vulkan-drivers; } >/dev/null 2>&1 \
    || skip "apt-get install libvulkan1 mesa-vulkan-drivers failed"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/parts" "$WORK/lists/partial" "$WORK/debs" "$DEST"
# Reuse the mirror this machine's apt is already configured with; only the suite changes.
MIRROR=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$MIRROR" ] || skip "no Debian mirror found in the apt configuration"
cat > "$WORK/parts/backports.sources" <<SRC
Types: deb
URIs: $MIRROR
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
APT=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$WORK/parts" -o Dir::State::Lists="$WORK/lists")
apt-get "${APT[@]}" update >/dev/null 2>&1 || skip "cannot read bookworm-backports package lists"
( cd "$WORK/debs" && apt-get "${APT[@]}" download mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports \
    libdrm-amdgpu1/bookworm-backports >/dev/null 2>&1 ) || skip "apt-get download of Mesa 25 failed"
for d in "$WORK"/debs/*.deb; do dpkg -x "$d" "$DEST" || skip "dpkg -x $d failed"; done
L="$DEST/usr/lib/x86_64-linux-gnu"
[ -f "$L/libvulkan_lvp.so" ] || skip "libvulkan_lvp.so missing after extraction"
printf '{ "ICD": { "api_version": "1.4.305", "library_path": "%s/libvulkan_lvp.so" }, "file_format_version": "1.0.0" }\n' "$L" > "$DEST/lvp_icd.json"
cat > "$DEST/env.sh" <<ENV
export VK_ICD_FILENAMES=$DEST/lvp_icd.json
export LD_LIBRARY_PATH=$L\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp/xdg-\$(id -u)}; mkdir -p -m 700 "\$XDG_RUNTIME_DIR"
ENV
echo "setup-webgpu: lavapipe ready in $DEST ($(du -sh "$DEST" | cut -f1)); source $DEST/env.sh"
exit 0
