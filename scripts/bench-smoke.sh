#!/usr/bin/env bash
# Short benchmark run printed in CI logs so regressions show; figures only, no pass/fail.
exec "$(dirname "$0")/bench.sh" smoke
