#!/usr/bin/env bash
# RFP analysis of a 50-page PDF without AI (target: under 10 s), printed, never asserted:
#   1. in process: PdfPig text extraction + the deterministic fact pass + the local assessment (median of 20 runs);
#   2. through the HTTP API of the standalone host: upload → durable analysis → completed (blob, database, orchestration).
#
#   bench/rfps/run.sh [pages, default 50] [http runs, default 5]
# Uses its own ports (test ports + 600) and .data/bench-rfps/, so it can run beside ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"
PAGES=${1:-50}
RUNS=${2:-5}
OFFSET=600
RUN_DIR="$ROOT/.data/bench-rfps"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
BENCH="$ROOT/bench/rfps/bin/Release/net10.0/StreamFlow.Bench.Rfps.dll"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBenchRfps Timers__Enabled=false
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
dotnet build bench/rfps -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
dotnet "$BENCH" inprocess "$PAGES" 20

sf_install_node_tools
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET))
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
sf_spawn streamflow "$RUN_DIR/logs/streamflow.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
until curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null 2>&1; do sf_sleep 0.1; done
dotnet "$BENCH" http "http://127.0.0.1:$STREAMFLOW_PORT" "$PAGES" "$RUNS"
