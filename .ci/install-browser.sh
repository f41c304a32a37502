#!/usr/bin/env bash
# Chromium for `npm run test:browser`: Debian's `chromium` package, installed only when no
# Chromium/Chrome is on the machine (or CHROMIUM_PATH points at one). Never downloads a
# browser build from elsewhere.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
  echo "browser: ${CHROMIUM_PATH} (CHROMIUM_PATH)"
  exit 0
fi
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "browser: $(command -v "$name")"
    exit 0
  fi
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "browser: installing Debian's chromium (apt-get)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
echo "browser: $(command -v chromium)"
