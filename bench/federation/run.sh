#!/usr/bin/env bash
# Issue #21's federation figure on this machine, printed, never asserted: a hub pulling 30 client businesses from 3
# member instances. Four standalone hosts, each a separate StreamFlow instance (database of its own on one local
# PostgreSQL, task hub of its own on one Azurite): the hub, and three members with 10 clients each (5 leads per
# client). The members register keys for the hub (two hmac-sha256, one ed25519), the hub registers the members, and
# bench/federation/pull.py times the scheduled durable pull (PullFederationMembers, run now through
# POST /admin/functions) until the hub's console shows all 30 remote clients fresh, next to one plain signed GET of a
# member's summary route. Loopback only (Federation:AllowLoopbackForDevelopment lets the hub pull over plain http).
#
#   bench/federation/run.sh [--runs 3] [--clients-per-member 10] [--leads-per-client 5] [--baseline 20]
#   STREAMFLOW_BENCH_OFFSET=786 STREAMFLOW_SKIP_BUILD=1 bench/federation/run.sh
# Ports: test ports + 786 by default (hub 7957/7958, members 7959-7964; PostgreSQL 55116; Azurite 10796-10798),
# chosen clear of the other benches' offsets and of the end-to-end suites' extra hosts. Data in .data/bench-federation/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

OFFSET=${STREAMFLOW_BENCH_OFFSET:-786}
MEMBERS=3
RUN_DIR="$ROOT/.data/bench-federation"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
export Logging__LogLevel__Default=Warning Timers__Enabled=false Federation__AllowLoopbackForDevelopment=true
export LoginThrottle__FreeIpFailures=100000 LoginThrottle__MaxIpFailuresPerHour=100000

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${STREAMFLOW_SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building the standalone host (Release)..."
  dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
fi
sf_install_node_tools
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET)) fast
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))

# start_instance NAME INDEX: its own database (created and migrated here), task hub and ports; prints its URL.
start_instance() {
  local name=$1 index=$2 port=$((7171 + OFFSET + 2 * $2))
  STREAMFLOW_DB_NAME="streamflow_$name" sf_bootstrap_database >/dev/null
  sf_check_port_free "$port" "StreamFlow $name"
  sf_check_port_free $((port + 1)) "durable sidecar of $name"
  (
    export STREAMFLOW_PORT=$port Durable__SidecarPort=$((port + 1)) Durable__TaskHub="BenchFederation${name^}" \
      Audit__ChainHeadBlob="audit/bench-federation-$name/chain-head.json"
    (cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
    # Spawned from a subshell: sf_stop_all finds it by its pid file.
    sf_spawn "$name" "$RUN_DIR/logs/$name.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
  )
  INSTANCE_URLS[index]="http://127.0.0.1:$port"
}

declare -a INSTANCE_URLS
start_instance hub 0
for i in $(seq 1 $MEMBERS); do
  start_instance "member$i" "$i"
done
for i in $(seq 0 $MEMBERS); do
  name=$([[ $i == 0 ]] && echo hub || echo "member$i")
  for _ in $(seq 1 600); do
    curl -fsS "${INSTANCE_URLS[i]}/api/health" >/dev/null 2>&1 && break
    sf_alive "$name" || { echo "bench: $name exited during start-up" >&2; tail -n 40 "$RUN_DIR/logs/$name.log" >&2; exit 1; }
    sf_sleep 0.2
  done
  curl -fsS "${INSTANCE_URLS[i]}/api/health" >/dev/null || { echo "bench: $name did not become healthy" >&2; tail -n 40 "$RUN_DIR/logs/$name.log" >&2; exit 1; }
done

echo "machine: $(nproc) cores; load before: $(uptime)"
python3 "$ROOT/bench/federation/pull.py" "${INSTANCE_URLS[@]}" "$@" 201>&-
echo "load after: $(uptime)"
