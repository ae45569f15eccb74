#!/usr/bin/env bash
# Install Debian's ffmpeg (with libdav1d for AV1), the Node video decoder that LeRobotDataset.frames and
# `vla-primitives depth-masks` run as a child process (src/io/video-ffmpeg.ts). No download of its own: apt only.
# Idempotent and quiet; never fails the caller: without apt (or without root) it prints why and exits 0, and the
# video tests then skip with their own message. Another ffmpeg can be used with VLA_FFMPEG=/path/to/ffmpeg.
#   bash scripts/setup-video.sh
set -u
has_dav1d() { ffmpeg -hide_banner -decoders 2>/dev/null | grep -q ' libdav1d '; }
if command -v ffmpeg >/dev/null 2>&1; then
  if has_dav1d; then
    echo "setup-video: $(ffmpeg -hide_banner -version 2>/dev/null | head -n1 | cut -d" " -f1-3) already installed (libdav1d: yes)"
  else
    echo "setup-video: $(ffmpeg -hide_banner -version 2>/dev/null | head -n1 | cut -d" " -f1-3) already installed, but without libdav1d (AV1 may not decode)"
  fi
  exit 0
fi
. "$(dirname "$0")/apt-install.sh"
if apt_install setup-video ffmpeg "video tests"; then
  echo "setup-video: installed $(ffmpeg -hide_banner -version 2>/dev/null | head -n1 | cut -d" " -f1-3) (libdav1d: $(has_dav1d && echo yes || echo no))"
fi
exit 0
