#!/usr/bin/env bash
# Installs the one system package cotrain uses outside npm: ffmpeg (Debian's 5.1 decodes the h264 and AV1 videos of
# LeRobot datasets). Everything else comes from `npm ci`. Safe to run again: it does nothing when ffmpeg is present.
set -euo pipefail
if command -v ffmpeg >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "installing ffmpeg (apt-get) ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
ffmpeg -version | head -n 1
