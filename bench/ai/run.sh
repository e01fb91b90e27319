#!/usr/bin/env bash
# Runs the AI gateway bench against a PostgreSQL cluster of its own (.data/bench-ai, port 54340 + offset).
#
#   bench/ai/run.sh [calls]
#   STREAMFLOW_TEST_PORT_OFFSET=300 bench/ai/run.sh 5000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"
OFFSET=${STREAMFLOW_TEST_PORT_OFFSET:-0}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

sf_init_run_dir "$ROOT/.data/bench-ai${OFFSET#0}" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet build bench/ai -c Release --nologo -v q -p:UseSharedCompilation=false 201>&-
# Durability settings as in production (fsync on): the figures include real commits.
sf_start_postgres "$SF_RUN_DIR/postgres" $((54340 + OFFSET)) ${STREAMFLOW_BENCH_PG_MODE:-}
sf_bootstrap_database
dotnet bench/ai/bin/Release/net10.0/StreamFlow.Bench.Ai.dll "$@" 201>&-
