#!/usr/bin/env bash
# Workflow runs end to end on the standalone host (issue #16), started the way ./run.sh starts it: its own PostgreSQL
# (fsync on), Azurite (the durable backend), maildev and the host with its durable sidecar, on ports of their own
# (base + STREAMFLOW_TEST_PORT_OFFSET). A workflow minute lasts 5 s here (Workflows__MinuteLength), so the bench's
# one-minute wait is a 5 s durable timer. Prints figures next to their baselines; asserts nothing.
#
#   bench/workflows/run.sh [--runs 1000]
#   STREAMFLOW_TEST_PORT_OFFSET=300 bench/workflows/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

OFFSET=${STREAMFLOW_TEST_PORT_OFFSET:-0}
RUN_DIR="$ROOT/.data/bench-workflows${OFFSET#0}"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
export STREAMFLOW_PORT=$((7090 + OFFSET)) Durable__SidecarPort=$((7091 + OFFSET))

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${STREAMFLOW_SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building the standalone host and the bench (Release)..."
  dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
  dotnet build bench/workflows -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
fi
sf_install_node_tools
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_check_port_free "$STREAMFLOW_PORT" "StreamFlow API"
sf_check_port_free "$Durable__SidecarPort" "durable sidecar"
sf_start_postgres "$RUN_DIR/postgres" $((54420 + OFFSET))
sf_start_azurite "$RUN_DIR/azurite" $((10120 + OFFSET)) $((10121 + OFFSET)) $((10122 + OFFSET))
sf_start_maildev $((1050 + OFFSET)) $((1100 + OFFSET))
sf_bootstrap_database

export Durable__Backend=AzureStorage Durable__TaskHub=BenchWorkflows
export Workflows__MinuteLength=00:00:05
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

dotnet bench/workflows/bin/Release/net10.0/StreamFlow.Bench.Workflows.dll --api "http://127.0.0.1:$STREAMFLOW_PORT" "$@" 201>&-
