#!/usr/bin/env bash
# Fuzzing: the cargo-fuzz targets in fuzz/ (WebSocket frame parsing, JSON request bodies), then
# the live-socket fuzzer (`charge-load socket-fuzz`) against a running server, which must keep
# serving with bounded memory. Any crash fails the script; a crashing input is kept under
# fuzz/artifacts/<target>/.
#
#   FUZZ_SECONDS=60 scripts/fuzz.sh          (seconds per cargo-fuzz target; the smoke run)
#   SOCKET_FUZZ_SECONDS=60                   (seconds of random frames at the live server)
#   FUZZ_TARGETS="socket_frames"             (a subset)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
SOCKET_SECONDS=${SOCKET_FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"socket_frames request_bodies"}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
CARGO_FUZZ_VERSION=0.13.1

# cargo-fuzz passes flags that rustc accepts on nightly only; RUSTC_BOOTSTRAP=1 lets the pinned
# stable toolchain (rust-toolchain.toml) take them, so no second toolchain is needed. The
# targets build without a sanitizer (`-s none`): every crate of Charge forbids `unsafe`, so
# AddressSanitizer would find nothing a panic does not already show, at twice the cost.
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

for target in $TARGETS; do
  echo "==> cargo fuzz: $target for ${SECONDS_EACH}s"
  mkdir -p "fuzz/corpus/$target"
  cargo fuzz run --fuzz-dir fuzz --target-dir "$TARGET_DIR/fuzz" -s none --release --debug-assertions \
    "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$SECONDS_EACH" -max_len=8192 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 2>&1 \
    | grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done|==|SUMMARY|thread .* panicked|.*ERROR)' || true
  # cargo fuzz's own status is lost in the pipe; a crash leaves an artifact.
  if compgen -G "fuzz/artifacts/$target/crash-*" >/dev/null; then
    echo "fuzz: $target crashed; inputs in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done

[ "$SOCKET_SECONDS" -gt 0 ] || exit 0
echo "==> live-socket fuzzing for ${SOCKET_SECONDS}s"
cargo build --locked -q -p charge-server --bin charge -p charge-loadtest --bin charge-load
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$WORK" && exec env -i PATH="$PATH" HOST=127.0.0.1 PORT="$PORT" DATABASE_URL="sqlite://$WORK/charge.db" \
  JWT_SECRET_KEY=socket-fuzz-secret-key-long-enough-0123456789 \
  AUTH_RATE_LIMIT_PER_MINUTE=0 AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE=0 RUST_LOG=error \
  "$TARGET_DIR/debug/charge" serve >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
"$TARGET_DIR/debug/charge-load" --url "http://127.0.0.1:$PORT" --server-pid "$SERVER_PID" \
  socket-fuzz --seconds "$SOCKET_SECONDS" --connections 16 --seed "${SOCKET_FUZZ_SEED:-1}"
kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; echo "fuzz: the server died" >&2; exit 1; }
