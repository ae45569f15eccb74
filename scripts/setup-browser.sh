#!/usr/bin/env bash
# Install Debian's Chromium for the headless browser test (test/browser/browser.test.ts).
# Idempotent and quiet; never fails the caller: without apt (or without root) it prints why and
# exits 0, and the browser test then skips with its own message.
#   bash scripts/setup-browser.sh
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  echo "setup-browser: chromium already installed ($(chromium --version 2>/dev/null || echo /usr/bin/chromium))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: apt-get not available; skipping (browser tests will be skipped)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "setup-browser: not root and no passwordless sudo; skipping (browser tests will be skipped)"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
  echo "setup-browser: installed $(chromium --version 2>/dev/null || echo chromium)"
else
  echo "setup-browser: apt-get install chromium failed; skipping (browser tests will be skipped)"
fi
exit 0
