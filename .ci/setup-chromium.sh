#!/usr/bin/env bash
# Debian's Chromium for the tearsheet's headless-browser test (tests/report/test_browser.py).
# playwright drives it through executable_path; no `playwright install` download.
# Quick no-op when chromium is already on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
command -v chromium
