#!/usr/bin/env bash
# Webhook delivery benchmark: its own PostgreSQL (port 54390 + STREAMFLOW_TEST_PORT_OFFSET) and Azurite (10090-10092 +
# offset, which the app's blob start-up wants), a receiver on 127.0.0.1,
# the real outbox, dispatcher, signing, safe client and attempt log. Prints figures; asserts nothing.
#
#   bench/webhooks/run.sh [--deliveries 3000] [--concurrency 32] [--events 30] [--rate 2] [--burst 100]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"

OFFSET=${STREAMFLOW_TEST_PORT_OFFSET:-0}
RUN_DIR="$ROOT/.data/bench-webhooks${OFFSET#0}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench: building (Release)..."
dotnet build bench/webhooks -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
sf_install_node_tools
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54390 + OFFSET)) fast
sf_start_azurite "$RUN_DIR/azurite" $((10090 + OFFSET)) $((10091 + OFFSET)) $((10092 + OFFSET))
sf_bootstrap_database

dotnet bench/webhooks/bin/Release/net10.0/StreamFlow.Bench.Webhooks.dll "$@" 201>&-
