#!/usr/bin/env bash
# QuickBooks Online (issue #14), printed, never asserted: N won leads (default 1,000) pushed by the standalone host as
# customers + invoices through the fake of Intuit's API with its documented throttle (default 500 requests a minute,
# 429 + Retry-After beyond), the host killed -9 when ~40% of the invoices are in and started again; then the fake's
# request journal is counted: invoice creates per DocNumber (should be 1 each) and requestids that created twice.
# Printed next to it, the baseline: the same creates sent straight to the fake, unthrottled, and the throttle's floor.
#
#   bench/connectors/run.sh [invoices, default 1000] [requests per minute, default 500]
#
# ServiceTitan (issue #14): the host imports N customers (each with a location) and M jobs from the paged fake; total
# time (target < 2 min) and the host's working set sampled during the sync (flat: the last quarter about the first);
# baseline: the same pages read straight from the fake, nothing stored.
#
#   bench/connectors/run.sh servicetitan [customers, default 20000] [jobs, default 50000] [page size, default 500]
# Uses its own ports (test ports + 680, or STREAMFLOW_BENCH_OFFSET) and .data/bench-connectors/, so it can run beside
# ./run.sh, ./test.sh and other benches.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"
MODE=quickbooks
if [[ ${1:-} == servicetitan ]]; then
    MODE=servicetitan
    shift
fi
INVOICES=${1:-1000}
PER_MINUTE=${2:-500}
OFFSET=${STREAMFLOW_BENCH_OFFSET:-680}
FAKE_PORT=$((7173 + OFFSET))
RUN_DIR="$ROOT/.data/bench-connectors"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
BENCH="$ROOT/bench/connectors/bin/Release/net10.0/StreamFlow.Bench.Connectors.dll"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBenchConnectors Timers__Enabled=false
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
dotnet build bench/connectors -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null

sf_install_node_tools
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET))
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))
# STREAMFLOW_BENCH_PG_STATS=1: pg_stat_statements on the bench's cluster (restarted once to load it); its top
# statements by total time (those run by triggers and functions too) are printed after the ServiceTitan import.
if [[ ${STREAMFLOW_BENCH_PG_STATS:-} == 1 && -z ${DATABASE_URL:-} ]]; then
    psql "$SF_PG_ADMIN_CONNINFO" -X -q -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
    _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$RUN_DIR/postgres" -w -t 60 restart >/dev/null
    psql "$SF_PG_ADMIN_CONNINFO" -X -q -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" -c "SELECT pg_reload_conf()" \
        -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
fi
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
# The bench starts the host itself: it kills it mid-push and starts it again while its fake keeps the journal.
if [[ $MODE == servicetitan ]]; then
    # The postmaster's pid, so that the bench can count PostgreSQL's CPU seconds (its backends' included) over the sync.
    [[ -z ${DATABASE_URL:-} ]] && export STREAMFLOW_BENCH_PG_PID=$(head -1 "$RUN_DIR/postgres/postmaster.pid")
    export STREAMFLOW_BENCH_HOST_LOG=${STREAMFLOW_BENCH_HOST_LOG:-$RUN_DIR/logs/host.log}
    dotnet "$BENCH" servicetitan "$BIN_DIR/StreamFlow.Standalone.dll" "$STREAMFLOW_PORT" "$FAKE_PORT" "${1:-20000}" "${2:-50000}" "${3:-500}"
    if [[ ${STREAMFLOW_BENCH_PG_STATS:-} == 1 && -z ${DATABASE_URL:-} ]]; then
        psql "$SF_PG_ADMIN_CONNINFO" -X -P pager=off -c "SELECT calls, round(total_exec_time) AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms, rows,
            left(regexp_replace(query, '\s+', ' ', 'g'), 140) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30"
    fi
else
    dotnet "$BENCH" "$BIN_DIR/StreamFlow.Standalone.dll" "$STREAMFLOW_PORT" "$FAKE_PORT" "$INVOICES" "$PER_MINUTE"
fi
