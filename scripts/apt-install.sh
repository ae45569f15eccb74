#!/usr/bin/env bash
# Shared by the setup scripts: install one Debian package quietly, never failing the caller.
#   . scripts/apt-install.sh; apt_install <label> <package> <what-skips>
# Prints "<label>: …" lines; returns 0 when the package got installed, 1 when it was skipped (with the reason).
apt_install() {
  local label=$1 pkg=$2 skips=$3 sudo=""
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$label: apt-get not available; skipping ($skips will be skipped)"
    return 1
  fi
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "$label: not root and no passwordless sudo; skipping ($skips will be skipped)"
      return 1
    fi
  fi
  if DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; then
    return 0
  fi
  echo "$label: apt-get install $pkg failed; skipping ($skips will be skipped)"
  return 1
}
