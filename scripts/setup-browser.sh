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
. "$(dirname "$0")/apt-install.sh"
if apt_install setup-browser chromium "browser tests"; then
  echo "setup-browser: installed $(chromium --version 2>/dev/null || echo chromium)"
fi
exit 0
