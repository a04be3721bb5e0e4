#!/usr/bin/env bash
# Runs Charge's whole test suite: formatting, lints, Rust tests on SQLite and MariaDB (plus
# coturn for TURN, nginx and a Compose client for the deployment checks, Redis and NATS for the
# scale-out tests), the web client's unit and browser tests, the property-based API run
# (schemathesis) and the fuzzing smoke run. It installs what is missing (Debian, npm and pip
# packages, cargo-fuzz) and starts MariaDB if it is installed but stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 0.5; done
  die "$name is not answering on 127.0.0.1:$port"
}

ensure_mariadb() {
  if port_open 3306; then return 0; fi
  command -v mariadbd >/dev/null 2>&1 || die "MariaDB is required on 127.0.0.1:3306 and is not installed (apt-get install mariadb-server)"
  log "starting MariaDB"
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 MariaDB
}

log "checking services and tools"
ensure_mariadb
export CHARGE_TEST_MYSQL_URL="${CHARGE_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"
# The backup tests dump and restore a MariaDB database with its own clients.
command -v mariadb-dump >/dev/null 2>&1 || apt_install mariadb-client
apt_install coturn nginx
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || { log "installing docker-compose (client only)"; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
# The scale-out tests start private Redis and NATS servers; Debian puts nats-server in /usr/sbin.
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
for tool in redis-server nats-server; do
  command -v "$tool" >/dev/null 2>&1 || apt_install "$tool" || die "$tool is required by the scale-out tests and could not be installed (apt-get install $tool)"
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required by the scale-out tests and is still missing after installing the $tool package"
done
# The object storage tests start a private S3 server: moto's, from PyPI.
python3 -c 'import moto.server' >/dev/null 2>&1 || {
  log "installing moto[server] (S3 server for the object storage tests)"
  python3 -m pip install -q 'moto[server]>=5,<6' || die "moto[server] is required by the object storage tests (python3 -m pip install 'moto[server]')"
}

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
log "cargo test (SQLite and MariaDB at $CHARGE_TEST_MYSQL_URL)"
# Every storage test runs on both backends; MariaDB is never skipped here.
unset CHARGE_TEST_SKIP_MYSQL
cargo test --workspace --locked

log "web client: type check, unit tests, build and browser tests (Chromium)"
cargo build --locked -p charge-server --bin charge
bash frontend/scripts/ci.sh

log "HTTP API against its OpenAPI document (schemathesis, every check, >= 5,000 requests)"
command -v curl >/dev/null 2>&1 || apt_install curl
python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
scripts/api-fuzz.sh "${CARGO_TARGET_DIR:-target}/debug/charge"

log "fuzzing smoke run (cargo-fuzz targets 60 s each, then 60 s of random frames at a live server)"
scripts/fuzz.sh

if [ -x scripts/bench-smoke.sh ]; then
  log "benchmark smoke run (figures only, no pass/fail)"
  scripts/bench-smoke.sh || echo "benchmark smoke run failed (not a test failure)"
fi

log "all tests passed"
