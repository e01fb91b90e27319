#!/usr/bin/env bash
# Lead-scoring figures through the HTTP API of the standalone host, as a user would get them, by stratified k-fold
# cross-validation on data/leads/train.csv; per fold a fresh client business: import the other folds with Converted
# (time until every lead is scored) → train → import the held-out fold without Converted → AUC, hot-tier precision,
# top 20 %/40 % capture; then the mean over the folds, and one lead created → scored latency.
#   bench/scoring-http.sh [folds, default 5]      STREAMFLOW_LEADS_DATA: another folder with train.csv
# Uses its own ports (test ports + 700) and .data/bench-scoring/. Loopback only; stops by itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
OFFSET=700
RUN_DIR="$ROOT/.data/bench-scoring"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
DATA="${STREAMFLOW_LEADS_DATA:-$ROOT/data/leads}"
FOLDS="${1:-5}"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBenchScoring Timers__Enabled=false
export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning

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
sf_spawn streamflow "$RUN_DIR/logs/streamflow.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
until curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null 2>&1; do sf_sleep 0.1; done
dotnet bench/StreamFlow.Bench.Http/bin/Release/net10.0/StreamFlow.Bench.Http.dll scoring "http://127.0.0.1:$STREAMFLOW_PORT" "$DATA" "$FOLDS"
