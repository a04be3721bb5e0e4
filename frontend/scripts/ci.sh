#!/usr/bin/env bash
# Everything the web client needs in CI: system packages when missing, npm
# packages, type check, unit tests, production build, browser tests.
# Run from anywhere; needs root for apt-get and the test's network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v turnserver >/dev/null 2>&1 || missing+=(coturn)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# Emoji in screenshots (optional, but cheap).
[ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[frontend] installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "[frontend] missing system packages (need root to install): ${missing[*]}" >&2
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npm run check
npm test
npm run build
# Fails when the build is over the bundle budget in README.md.
npm run budget
# The browser tests exercise the unbundled sources (what a fresh clone serves)
# and then the production build.
npm run test:e2e
CHARGE_E2E_NO_BUILD=1 CHARGE_E2E_WEB=dist npm run test:e2e -- e2e/chat.e2e.test.js e2e/first-paint.e2e.test.js
