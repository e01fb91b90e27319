#!/usr/bin/env bash
# Webhook delivery end to end on the standalone host, started the way ./run.sh starts it: its own PostgreSQL
# (production durability: fsync on), Azurite (the durable backend), maildev, and the host with the durable sidecar,
# all on ports of their own (base + STREAMFLOW_TEST_PORT_OFFSET). Webhooks__AllowLoopbackForDevelopment lets the
# endpoint point at the bench's receiver on 127.0.0.1. Prints figures; asserts nothing.
#
#   bench/webhooks/standalone.sh [--burst 3000] [--commit-concurrency 16] [--paced-events 60] [--paced-rate 5] [--retry-events 20]
#   STREAMFLOW_TEST_PORT_OFFSET=200 bench/webhooks/standalone.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

OFFSET=${STREAMFLOW_TEST_PORT_OFFSET:-0}
RUN_DIR="$ROOT/.data/bench-webhooks-standalone${OFFSET#0}"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
export STREAMFLOW_PORT=$((7080 + OFFSET)) Durable__SidecarPort=$((7081 + OFFSET))

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${STREAMFLOW_SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building the standalone host and the bench (Release)..."
  dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
  dotnet build bench/webhooks -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
fi
sf_install_node_tools
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_check_port_free "$STREAMFLOW_PORT" "StreamFlow API"
sf_check_port_free "$Durable__SidecarPort" "durable sidecar"
sf_start_postgres "$RUN_DIR/postgres" $((54400 + OFFSET))
sf_start_azurite "$RUN_DIR/azurite" $((10100 + OFFSET)) $((10101 + OFFSET)) $((10102 + OFFSET))
sf_start_maildev $((1040 + OFFSET)) $((1090 + OFFSET))
sf_bootstrap_database

export Durable__Backend=AzureStorage Durable__TaskHub=BenchWebhooks
export Webhooks__AllowLoopbackForDevelopment=true
# Only the webhook dispatcher's own schedule matters here; the notification listener does the real work.
export HeartbeatSchedule="0 0 0 1 1 *"
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
HOST_LOG="$RUN_DIR/logs/standalone.log"
sf_spawn streamflow "$HOST_LOG" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null 2>&1 && break
  sf_alive streamflow || { tail -n 40 "$HOST_LOG" >&2; exit 1; }
  sf_sleep 0.2
done
curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null || { echo "bench: the host did not become healthy" >&2; tail -n 40 "$HOST_LOG" >&2; exit 1; }

dotnet bench/webhooks/bin/Release/net10.0/StreamFlow.Bench.Webhooks.dll standalone --api "http://127.0.0.1:$STREAMFLOW_PORT" "$@" 201>&-
