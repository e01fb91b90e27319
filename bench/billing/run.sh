#!/usr/bin/env bash
# Billing run for 100 clients with a month of usage each, end to end on the standalone host (target: < 30 s).
# Fills last month's usage with SQL, then fires the billing timer once through the host's admin route
# (POST /admin/functions/StartDueBillingRuns, developer token: it finds the due clients and starts one orchestration
# each) — or, with "provider" as third argument, calls POST /api/v1/provider/tenants/{id}/billing-runs per client —
# and times until every invoice is finalized and emailed. Prints the figures; asserts nothing.
#
#   bench/billing/run.sh [clients, default 100] [leads per client, default 500] [timer|provider, default timer]
# Uses its own ports (test ports + 800 + STREAMFLOW_TEST_PORT_OFFSET) and .data/bench-billing*/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
CLIENTS=${1:-100}
LEADS=${2:-500}
TRIGGER=${3:-timer}
OFFSET=$((800 + ${STREAMFLOW_TEST_PORT_OFFSET:-0}))
RUN_DIR="$ROOT/.data/bench-billing${STREAMFLOW_TEST_PORT_OFFSET:-}"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
API="http://127.0.0.1:$((7171 + OFFSET))"
export STREAMFLOW_PORT=$((7171 + OFFSET)) Durable__SidecarPort=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowBenchBilling Timers__Enabled=false
export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sf_install_node_tools
dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET)) fast
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
DB="$SF_PG_ADMIN_CONNINFO dbname=streamflow"

echo "bench: filling $CLIENTS clients x ($LEADS leads, 10 users, 84 AI calls) in last month..."
fill_start=$(date +%s.%N)
psql "$DB" -X -q -v clients="$CLIENTS" -v leads="$LEADS" -f bench/billing/fill.sql >/dev/null
printf 'bench: filled in %.1f s\n' "$(echo "$(date +%s.%N) - $fill_start" | bc)"

sf_spawn streamflow "$RUN_DIR/logs/streamflow.log" env -C "$BIN_DIR" dotnet StreamFlow.Standalone.dll
until curl -fsS "$API/api/health" >/dev/null 2>&1; do sf_sleep 0.1; done
login() { # SYSTEM EMAIL PASSWORD
  curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$2\",\"password\":\"$3\"}" "$API/api/v1/$1/auth/login" \
    | sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}
TOKEN=$(login provider "$STREAMFLOW_PROVIDER_EMAIL" "$STREAMFLOW_PROVIDER_PASSWORD")
DEV_TOKEN=$(login dev "$STREAMFLOW_DEV_EMAIL" "$STREAMFLOW_DEV_PASSWORD")
export TOKEN API
mapfile -t TENANTS < <(psql "$DB" -X -A -t -c "SELECT id FROM tenants WHERE slug LIKE 'bench-%'")

start=$(date +%s.%N)
if [[ "$TRIGGER" == provider ]]; then
  printf '%s\n' "${TENANTS[@]}" | xargs -P 8 -I{} sh -c \
    'curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" "$API/api/v1/provider/tenants/{}/billing-runs" || echo "bench: start failed for {}" >&2'
else
  curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $DEV_TOKEN" "$API/admin/functions/StartDueBillingRuns"
fi
started=$(date +%s.%N)
done_count=0
while (( done_count < ${#TENANTS[@]} )); do
  sf_sleep 0.2
  done_count=$(psql "$DB" -X -A -t -c "SELECT count(*) FROM invoices WHERE finalized_at IS NOT NULL AND emailed_at IS NOT NULL")
  if (( $(echo "$(date +%s.%N) - $start > 300" | bc) )); then echo "bench: timed out with $done_count invoices" >&2; exit 1; fi
done
end=$(date +%s.%N)

elapsed=$(echo "$end - $start" | bc)
mails=$(curl -fsS "http://127.0.0.1:$((1180 + OFFSET))/api/email" | python3 -c 'import json,sys; print(sum(1 for m in json.load(sys.stdin) if m["subject"].startswith("Invoice INV-")))')
read -r numbers first last total p50 p95 p50f <<<"$(psql "$DB" -X -A -t -F ' ' -c "
  SELECT count(DISTINCT number), min(number), max(number), sum(total),
         round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM emailed_at - created_at))::numeric, 2),
         round(percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM emailed_at - created_at))::numeric, 2),
         round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finalized_at - created_at))::numeric, 2)
  FROM invoices")"
printf 'bench: %d billing runs started (%s) in %.2f s\n' "${#TENANTS[@]}" "$TRIGGER" "$(echo "$started - $start" | bc)"
printf 'bench: %d invoices finalized and emailed in %.2f s (%.1f invoices/s); %d distinct numbers %s..%s; %d invoice emails; billed %s USD\n' \
  "$done_count" "$elapsed" "$(echo "$done_count / $elapsed" | bc -l)" "$numbers" "$first" "$last" "$mails" "$total"
printf 'bench: per invoice, draft to emailed: p50 %s s, p95 %s s (draft to finalized p50 %s s); load average %s\n' \
  "$p50" "$p95" "$p50f" "$(cut -d' ' -f1-3 /proc/loadavg)"
