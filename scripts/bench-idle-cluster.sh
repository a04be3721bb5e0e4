#!/usr/bin/env bash
# Idle capacity beyond one process: NODES release nodes on one MariaDB database, joined through
# the machine's Redis, each holding PER authenticated idle sockets from its own charge-load
# process at the same time. Prints one JSON line per node, then a summary line with the most
# sessions the nodes reported live at one moment and the summed memory growth.
#
#   scripts/bench-idle-cluster.sh                 # 6 nodes x 17,000 sockets = 102,000
#   NODES=2 PER=5000 scripts/bench-idle-cluster.sh
#
# Why several processes: a machine may cap the open files of each process (20,000 on the
# machine docs/PERFORMANCE.md was measured on), which bounds the sockets one server can hold.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${NODES:-6}
per=${PER:-17000}
hold=${HOLD:-60}
db=${DB:-mysql://root@127.0.0.1:3306}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -q -p charge-server -p charge-loadtest
bin=$(cd "$target/release" && pwd)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

name="charge_bench_cluster_$$"
mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $name" || true
  rm -rf "$work"
}
trap cleanup EXIT

base_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_node() {
  local i=$1 port=$((base_port + $1))
  (cd "$work" && HOST=127.0.0.1 PORT=$port DATABASE_URL="${db%/}/$name" AUTH_RATE_LIMIT_PER_MINUTE=0 CHAT_RATE_LIMIT_PER_SECOND=0 \
    AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE=0 \
    JWT_SECRET_KEY=bench-secret-key-0123456789-abcdefghij DEBUG=false RUST_LOG=warn \
    REALTIME_BACKEND=redis REALTIME_NAMESPACE="charge.bench.$$" REALTIME_NODE_ID="n$i" \
    exec "$bin/charge" serve) &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: node $i did not start" >&2
  exit 1
}
# The first node applies the migrations; the others start on the migrated database.
for i in $(seq 1 "$nodes"); do start_node "$i"; done
servers=("${pids[@]}")

loads=()
for i in $(seq 1 "$nodes"); do
  "$bin/charge-load" --url "http://127.0.0.1:$((base_port + i))" --server-pid "${servers[$((i - 1))]}" \
    --prefix "n$i" idle --sockets "$per" --sources 8 --hold "$hold" > "$work/node$i.json" &
  loads+=($!)
done
# Sum the nodes' live session gauges while every node is holding (bounded wait): the most
# sessions the cluster held at one moment.
live() {
  for i in $(seq 1 "$nodes"); do
    curl -fs "http://127.0.0.1:$((base_port + i))/metrics" \
      | awk '/^realtime_active_connections\{scope="channels"\}/ {print $2}'
  done | awk '{s += $1} END {print int(s)}'
}
peak=0
for _ in $(seq 1 $((hold * 2 + 120))); do
  count=$(live)
  [ "$count" -gt "$peak" ] && peak=$count
  [ "$peak" -ge $((nodes * per)) ] && break
  sleep 0.5
done
status=0
for p in "${loads[@]}"; do wait "$p" || status=1; done
cat "$work"/node*.json
python3 - "$peak" "$work"/node*.json <<'EOF'
import json, sys
peak = int(sys.argv[1])
runs = [json.loads(open(path).read().strip().splitlines()[-1]) for path in sys.argv[2:]]
opened = sum(r["opened"] for r in runs)
growth = sum((r["server"]["rss_kib_after"] - r["server"]["rss_kib_before"]) * 1024 for r in runs)
print(json.dumps({
    "scenario": "idle-cluster", "nodes": len(runs), "opened": opened,
    "failed": sum(r["failed"] for r in runs),
    "dropped_during_hold": sum(r["dropped"] for r in runs),
    "held_to_the_end": sum(r["held"] for r in runs),
    "sessions_at_once": peak,
    "server_rss_growth_bytes": growth,
    "server_bytes_per_socket": round(growth / max(opened, 1), 1),
    "server_cpu_seconds": round(sum(r["server"]["cpu_seconds"] for r in runs), 2),
}))
EOF
exit $status
