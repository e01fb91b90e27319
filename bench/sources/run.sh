#!/usr/bin/env bash
# A SAM.gov sync of N notices (default 5,000; target under 60 s), printed, never asserted. The fake of the documented
# Get Opportunities v2 API runs in the bench process; the standalone host syncs from it (pages of 1,000 by offset,
# one durable activity per page) until every notice is a lead, and the bench counts the leads through the API.
# Printed next to it, the baseline: the same pages fetched and parsed with nothing stored.
#
#   bench/sources/run.sh [notices, default 5000]
#   bench/sources/run.sh webform [rates per second, default 100,250,500] [seconds per rate, default 30]
# The second form is the web-form intake at fixed rates from many client addresses (new connections from
# 127.1.0.0/16, the address the per-address limit keys on), p50/p99 from each submission's scheduled time, non-2xx,
# each rate next to the plain POST /api/v1/leads at the same rate (bench/sources/WebFormBench.cs), and the highest rate
# each held with p99 < 100 ms and nothing but 2xx. `uptime` before and after: on a loaded machine the figures say so.
# Uses its own ports (test ports + 660, or + STREAMFLOW_BENCH_OFFSET) and .data/bench-sources/, so it can run beside ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"
MODE=sam
if [[ "${1:-}" == webform ]]; then
  MODE=webform
  RATES=${2:-100,250,500}
  DURATION=${3:-30}
  set -- 5000
fi
NOTICES=${1:-5000}
OFFSET=${STREAMFLOW_BENCH_OFFSET:-660}
FAKE_PORT=$((7173 + OFFSET))
RUN_DIR="$ROOT/.data/bench-sources"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
BENCH="$ROOT/bench/sources/bin/Release/net10.0/StreamFlow.Bench.Sources.dll"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBenchSources Timers__Enabled=false
export LeadSources__SamGov__BaseUrl="http://127.0.0.1:$FAKE_PORT" LeadSources__SamGov__AttachmentBaseUrl="http://127.0.0.1:$FAKE_PORT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
dotnet build bench/sources -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null

sf_install_node_tools
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET))
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
sf_spawn streamflow "$RUN_DIR/logs/streamflow.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
until curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null 2>&1; do sf_sleep 0.1; done
if [[ $MODE == webform ]]; then
  echo "machine: $(nproc) cores, bench client, host, PostgreSQL on the same machine; before: $(uptime)"
  dotnet "$BENCH" webform "http://127.0.0.1:$STREAMFLOW_PORT" "$RATES" "$DURATION"
  echo "after: $(uptime)"
  exit 0
fi
dotnet "$BENCH" "http://127.0.0.1:$STREAMFLOW_PORT" "$FAKE_PORT" "$NOTICES"
