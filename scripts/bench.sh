#!/usr/bin/env bash
# Runs charge-load scenarios against a freshly started server and prints one JSON line each.
#   scripts/bench.sh                 # full figures (release build), as in docs/PERFORMANCE.md
#   scripts/bench.sh smoke           # a few seconds each, debug build (what CI prints)
#   scripts/bench.sh fanout|ingest|history|idle|storm|auth   # one scenario
#   DB=mysql://root@127.0.0.1:3306 scripts/bench.sh ingest   # one scenario, on MariaDB
#   SERVER_BIN=/path/to/other/charge scripts/bench.sh idle     # another build of the server
#   OVERWRITES=20 scripts/bench.sh fanout   # with 20 permission overwrites on every channel
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
profile=release
[ "$mode" = smoke ] && profile=debug
target=${CARGO_TARGET_DIR:-target}
if [ "$profile" = release ]; then
  cargo build --release --locked -q -p charge-server -p charge-loadtest
else
  cargo build --locked -q -p charge-server -p charge-loadtest
fi
bin=$(cd "$target/$profile" && pwd)
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
db_url=${DB:-sqlite://$work/bench.db}
if [[ "$db_url" == mysql://* ]]; then
  name="charge_bench_$$"
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name" 2>/dev/null \
    || mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name"
  db_url="${db_url%/}/$name"
fi
(cd "$work" && HOST=127.0.0.1 PORT=$port DATABASE_URL=$db_url AUTH_RATE_LIMIT_PER_MINUTE=0 CHAT_RATE_LIMIT_PER_SECOND=0 \
  AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE=0 \
  JWT_SECRET_KEY=bench-secret-key-0123456789-abcdefghij DEBUG=false RUST_LOG=warn \
  exec "${SERVER_BIN:-$bin/charge}" serve) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
up=0
for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then up=1; break; fi
  sleep 0.1
done
[ "$up" = 1 ] || { echo "bench: the server did not start" >&2; exit 1; }
# History is driven by wrk when it is installed (it costs less CPU per request than charge-load).
wrk=""
command -v wrk >/dev/null && wrk="--wrk"
load() { "$bin/charge-load" --url "http://127.0.0.1:$port" --server-pid "$server" --overwrites "${OVERWRITES:-0}" "$@"; }

case "$mode" in
  smoke)
    load fanout --sockets 100 --senders 5 --rate 100 --duration 3
    load ingest --senders 20 --channels 10 --duration 3 --rate 2000
    load history --connections 10 --duration 3 --messages 100
    load idle --sockets 500 --hold 1
    load auth --accounts 50 --timing-samples 10 --settle 1
    ;;
  fanout) load fanout --sockets 1000 --senders 10 --rate "${RATE:-500}" --duration "${DURATION:-30}" ;;
  ingest) load ingest --senders 100 --channels 20 --duration "${DURATION:-10}" --rate "${RATE:-20000}" ;;
  history) load history --connections 50 --duration "${DURATION:-10}" $wrk ;;
  idle) load idle --sockets "${SOCKETS:-10000}" --sources 8 --hold 5 --messages "${MESSAGES:-50}" ;;
  storm) load idle --sockets 1000 --users 1000 --hold 0.5 ;;
  # Run on a fresh server: it compares memory with the server's idle figure at its start.
  auth) load auth --accounts "${ACCOUNTS:-1000}" --settle "${SETTLE:-60}" ;;
  full)
    load fanout --sockets 1000 --senders 10 --rate "${RATE:-500}" --duration "${DURATION:-30}"
    load ingest --senders 100 --channels 20 --duration 10 --rate 20000
    load history --connections 50 --duration 10 $wrk
    load idle --sockets "${SOCKETS:-10000}" --sources 8 --hold 5
    load idle --sockets 1000 --users 1000 --hold 0.5
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
