#!/usr/bin/env bash
# Issue #19's figures on this machine, printed, never asserted: StreamFlow next to a bare ASP.NET Core + Npgsql
# endpoint (in the bench process, one round trip: tenant setting, session check, the row) for
#   - authenticated GET /api/v1/leads/{id} at 32 connections
#   - POST /api/v1/leads at 16 and at 1 connection
# with the ratios; then a mixed load (60 % reads, 20 % creates, 20 % filtered lists) at 200 connections printing
# req/s, p50, p99, non-2xx and connection errors, and the host's peak working set during it; then lead created → AI
# re-score visible (AI on, against bench/api/fake_openai.py), data/leads/train.csv imported until every lead is scored,
# a 100,000-row import with the host's peak working set during it, and a soak printing the host's RSS every 15 s.
#
#   bench/api/run.sh [seconds per run, default 10] [mixed-load seconds, default 60; 0: the comparisons only] [soak seconds, default 600]
#   bench/api/run.sh round-trips [requests per kind, default 200]
#   bench/api/run.sh sse [subscribers, default 500] [events, default 50]
#   bench/api/run.sh rotation [leads, default 100000]
# The second form counts round trips to PostgreSQL per request instead (host and bare endpoint both connect through
# bench/api/pg_round_trips.py, a counting proxy; no load figures, the proxy slows everything down). The third times
# the live change feed: event committed -> delivered on each of SUBSCRIBERS open streams, next to one subscriber. The
# fourth (issue #15) looks leads up by email over GET /api/v1/leads?email= before and during a rotation of their
# business's data key (p50/p99 and wrong answers next to the baseline before it, and the rotation's rows/s).
# Uses its own ports (test ports + 850, or STREAMFLOW_BENCH_OFFSET) and .data/bench-api/. Loopback only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
MODE=load
if [[ "${1:-}" == round-trips ]]; then
  MODE=round-trips
  REQUESTS=${2:-200}
  set -- 10 60 0
elif [[ "${1:-}" == rotation ]]; then
  MODE=rotation
  LEADS=${2:-100000}
  set -- 10 60 0
elif [[ "${1:-}" == sse ]]; then
  MODE=sse
  SUBSCRIBERS=${2:-500}
  EVENTS=${3:-50}
  set -- 10 60 0
fi
SECONDS_PER_RUN=${1:-10}
MIXED_SECONDS=${2:-60}
SOAK_SECONDS=${3:-600}
OFFSET=${STREAMFLOW_BENCH_OFFSET:-850}
RUN_DIR="$ROOT/.data/bench-api"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBenchApi Timers__Enabled=false
export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning
export LoginThrottle__FreeIpFailures=100000 LoginThrottle__MaxIpFailuresPerHour=100000

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
if [[ $MODE == round-trips ]]; then
  proxy_port=$((54335 + OFFSET))
  sf_spawn pg-round-trips "$RUN_DIR/logs/pg-round-trips.log" python3 "$ROOT/bench/api/pg_round_trips.py" "$proxy_port" $((54330 + OFFSET)) "$RUN_DIR/round-trips"
  until [[ -s "$RUN_DIR/round-trips" ]]; do sf_sleep 0.1; done
  export Postgres__AppConnectionString=$(sed -E "s/Port=[0-9]+/Port=$proxy_port/" <<<"$Postgres__AppConnectionString")
fi
fake_ai_port=$((54336 + OFFSET))
sf_spawn fake-openai "$RUN_DIR/logs/fake-openai.log" python3 "$ROOT/bench/api/fake_openai.py" "$fake_ai_port"
export Ai__Deployments__0__Name=bench Ai__Deployments__0__Endpoint="http://127.0.0.1:$fake_ai_port/v1" Ai__Deployments__0__ApiKey=sk-bench \
  Ai__Deployments__0__Model=gpt-4o-mini Ai__Prices__0__Model=gpt-4o-mini Ai__Prices__0__InputPerMillion=0.15 \
  Ai__Prices__0__OutputPerMillion=0.60 Ai__Budget__ProviderMonthlyCapUsd=1000000
sf_spawn streamflow "$RUN_DIR/logs/streamflow.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
host_pid=$SF_LAST_PID
until curl -fsS "http://127.0.0.1:$STREAMFLOW_PORT/api/health" >/dev/null 2>&1; do sf_sleep 0.1; done
if [[ $MODE == sse ]]; then
  dotnet bench/StreamFlow.Bench.Http/bin/Release/net10.0/StreamFlow.Bench.Http.dll sse "http://127.0.0.1:$STREAMFLOW_PORT" "$SUBSCRIBERS" "$EVENTS"
  exit 0
fi
if [[ $MODE == rotation ]]; then
  dotnet bench/StreamFlow.Bench.Http/bin/Release/net10.0/StreamFlow.Bench.Http.dll rotation "http://127.0.0.1:$STREAMFLOW_PORT" "$LEADS"
  exit 0
fi
if [[ $MODE == round-trips ]]; then
  dotnet bench/StreamFlow.Bench.Http/bin/Release/net10.0/StreamFlow.Bench.Http.dll round-trips "http://127.0.0.1:$STREAMFLOW_PORT" "$RUN_DIR/round-trips" "$REQUESTS"
  exit 0
fi
echo "machine: $(nproc) cores; StreamFlow standalone host (pid $host_pid) vs bare endpoint, $SECONDS_PER_RUN s per run"
dotnet bench/StreamFlow.Bench.Http/bin/Release/net10.0/StreamFlow.Bench.Http.dll api "http://127.0.0.1:$STREAMFLOW_PORT" \
  "$SECONDS_PER_RUN" "$MIXED_SECONDS" "$host_pid" "$ROOT/data/leads/train.csv" "$SOAK_SECONDS"
