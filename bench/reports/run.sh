#!/usr/bin/env bash
# Report generation for a tenant with 100,000 leads (target: under 2 s), printed, never asserted.
#
#   bench/reports/run.sh [leads, default 100000] [runs per period, default 5]
# Uses its own ports (test ports + 550) and .data/bench-reports/, so it can run beside ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
LEADS=${1:-100000}
RUNS=${2:-5}
OFFSET=550
RUN_DIR="$ROOT/.data/bench-reports"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sf_install_node_tools
dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
dotnet build bench/reports/StreamFlow.Bench.Reports -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET))
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)

dotnet bench/reports/StreamFlow.Bench.Reports/bin/Release/net10.0/StreamFlow.Bench.Reports.dll "$LEADS" "$RUNS"
