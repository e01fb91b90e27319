#!/usr/bin/env bash
# Issue #17's governance figure, printed, never asserted: one business with LEADS leads (default 100,000) written
# straight into PostgreSQL, its model trained through the API, then GET /api/v1/scoring/model/governance (drift of the
# lead attributes and of the model's own columns, live quality, fairness by source, state and postal area) timed next
# to one aggregate over the same leads (bench/StreamFlow.Bench.Http/GovernanceBench.cs says how the leads are drawn).
#
#   bench/governance/run.sh [leads, default 100000]
# Uses its own ports (test ports + 870, or STREAMFLOW_BENCH_OFFSET) and .data/bench-governance/. Loopback only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
LEADS=${1:-100000}
OFFSET=${STREAMFLOW_BENCH_OFFSET:-870}
RUN_DIR="$ROOT/.data/bench-governance"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBenchGovernance Timers__Enabled=false
export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sf_install_node_tools
dotnet build StreamFlow.sln -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET)) fast
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
sf_spawn streamflow "$RUN_DIR/logs/streamflow.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
until curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null 2>&1; do sf_sleep 0.1; done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet bench/StreamFlow.Bench.Http/bin/Release/net10.0/StreamFlow.Bench.Http.dll governance "http://127.0.0.1:$STREAMFLOW_PORT" "$LEADS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
