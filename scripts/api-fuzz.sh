#!/usr/bin/env bash
# Property-based run of the HTTP API against its OpenAPI document: schemathesis (every check,
# response schemas and status codes included) against a fresh `charge` on SQLite with a signed-in
# user. Fails on any failure, or when fewer than API_FUZZ_MIN_REQUESTS requests were answered.
#
#   scripts/api-fuzz.sh [path/to/charge]      (default: $CARGO_TARGET_DIR or target, debug build)
#
# Knobs: API_FUZZ_EXAMPLES (cases per operation and phase, default 90), API_FUZZ_SEED (default 1),
# API_FUZZ_MIN_REQUESTS (default 5000), CHARGE_TOOLS_VENV (where schemathesis is installed).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/charge}
EXAMPLES=${API_FUZZ_EXAMPLES:-120}
SEED=${API_FUZZ_SEED:-1}
MIN_REQUESTS=${API_FUZZ_MIN_REQUESTS:-5000}
VENV=${CHARGE_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/charge-tools-venv}

[ -x "$BIN" ] || { echo "api-fuzz: no charge binary at $BIN (cargo build -p charge-server --bin charge)" >&2; exit 1; }
BIN=$(realpath "$BIN")
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "==> installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
# Sign-in and posting limits are off so the run reaches the rules behind them (their 429 answers
# are documented and have tests of their own).
(cd "$WORK" && exec env -i PATH="$PATH" HOST=127.0.0.1 PORT="$PORT" DATABASE_URL="sqlite://$WORK/charge.db" \
  JWT_SECRET_KEY=api-fuzz-secret-key-long-enough-0123456789 \
  AUTH_RATE_LIMIT_PER_MINUTE=0 AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE=0 CHAT_RATE_LIMIT_PER_SECOND=0 \
  ACCESS_TOKEN_EXPIRE_MINUTES=120 \
  RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$BASE/health" >/dev/null || { cat "$WORK/server.log" >&2; echo "api-fuzz: the server did not start" >&2; exit 1; }

curl -fsS -X POST "$BASE/api/auth/register" -H 'Content-Type: application/json' \
  -d '{"login":"fuzzer","password":"fuzzer-password"}' >/dev/null
TOKEN=$(curl -fsS -X POST "$BASE/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"login":"fuzzer","password":"fuzzer-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
# Something to find: a room with a text channel and a message, whose ids the examples can hit.
SLUG=$(curl -fsS -X POST "$BASE/api/rooms" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"title":"Fuzz"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["slug"])')
CHANNEL=$(curl -fsS -X POST "$BASE/api/rooms/$SLUG/channels" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"general","type":"text"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fsS -X POST "$BASE/api/messages" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"channel_id\":$CHANNEL,\"content\":\"hello\"}" >/dev/null

requests() {
  curl -fsS "$BASE/metrics" | awk '/^http_requests_total\{/ { n += $NF } END { printf "%d\n", n }'
}
BEFORE=$(requests)
STARTED=$(date +%s)
status=0
"$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$BASE/openapi.json" \
  --checks all --header "Authorization: Bearer $TOKEN" --max-examples "$EXAMPLES" --seed "$SEED" \
  --workers 1 --suppress-health-check all --no-color \
  --report junit --report-junit-path "$WORK/junit.xml" || status=$?
ELAPSED=$(( $(date +%s) - STARTED ))
ANSWERED=$(( $(requests) - BEFORE - 1 ))
echo "api-fuzz: $ANSWERED requests answered in ${ELAPSED}s (seed $SEED, $EXAMPLES examples per operation)"
[ "$status" -eq 0 ] || { echo "api-fuzz: schemathesis reported failures" >&2; exit "$status"; }
[ "$ANSWERED" -ge "$MIN_REQUESTS" ] || { echo "api-fuzz: only $ANSWERED requests (< $MIN_REQUESTS)" >&2; exit 1; }
