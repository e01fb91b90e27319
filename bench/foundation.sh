#!/usr/bin/env bash
# Foundation and identity figures on this machine, printed, never asserted:
#   - standalone host start → healthy, and ./run.sh warm start → healthy (it must not be running already)
#   - GET /api/health throughput and p99 next to a bare ASP.NET Core endpoint doing the same PostgreSQL round trip
#   - login latency with Argon2id, and the per-request cost of client authentication (session lookup + tenant context)
#
#   bench/foundation.sh [seconds per load run, default 10] [concurrency, default 16]
# Uses its own ports (test ports + 600) and .data/bench/, so it can run beside ./run.sh and ./test.sh. Loopback only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
SECONDS_PER_RUN=${1:-10}
CONCURRENCY=${2:-16}
OFFSET=600
RUN_DIR="$ROOT/.data/bench"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBench Timers__Enabled=false
export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
# The bench signs in many times from 127.0.0.1; the per-IP login throttle is not what is measured here.
export LoginThrottle__FreeIpFailures=100000 LoginThrottle__MaxIpFailuresPerHour=100000
export Logging__LogLevel__Default=Warning

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sf_install_node_tools
dotnet build StreamFlow.sln -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET))
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)

start=$(date +%s%N)
sf_spawn streamflow "$RUN_DIR/logs/streamflow.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
until curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null 2>&1; do sf_sleep 0.05; done
echo "standalone host: process start → healthy in $(( ($(date +%s%N) - start) / 1000000 )) ms"

dotnet bench/StreamFlow.Bench.Http/bin/Release/net10.0/StreamFlow.Bench.Http.dll "http://127.0.0.1:$STREAMFLOW_PORT" "$SECONDS_PER_RUN" "$CONCURRENCY"

if ! (exec 3<>/dev/tcp/127.0.0.1/7071) 2>/dev/null; then
  echo "./run.sh warm start (build up to date, data folder kept):"
  for attempt in 1 2; do
    start=$(date +%s%N)
    env -u STREAMFLOW_PORT -u Durable__SidecarPort -u Durable__TaskHub -u Timers__Enabled ./run.sh >"$RUN_DIR/logs/run-sh-$attempt.log" 2>&1 &
    runner=$!
    until curl -fsS http://127.0.0.1:7071/api/health >/dev/null 2>&1; do
      kill -0 "$runner" 2>/dev/null || { echo "  run.sh exited; see $RUN_DIR/logs/run-sh-$attempt.log"; break; }
      sf_sleep 0.1
    done
    echo "  attempt $attempt: ./run.sh → healthy in $(( ($(date +%s%N) - start) / 1000000 )) ms"
    kill -TERM "$runner"; wait "$runner" 2>/dev/null || true
  done
else
  echo "./run.sh warm start: skipped, port 7071 is in use (stop ./run.sh to measure it)"
fi
