#!/usr/bin/env bash
# Peer-benchmark figures on a provider-sized database, printed, never asserted: CLIENTS businesses (default 1,000) in
# six industries with 1-40 users, 300 leads apiece over 90 days (half moved a stage, a third decided), 200 AI calls and
# 3 invoices. Times benchmark_tenant_metrics — the one query behind GET /provider/benchmarks and GET /benchmarks
# (cohort placement after it is in memory) — next to the cheapest pass over the same leads (a count per business).
#
#   bench/benchmarks/run.sh [clients, default 1000] [runs, default 5]
# Uses its own port (test port + 590) and .data/bench-benchmarks/, so it runs beside ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
CLIENTS=${1:-1000}
RUNS=${2:-5}
OFFSET=590
RUN_DIR="$ROOT/.data/bench-benchmarks"

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sf_start_bench_database "$RUN_DIR/postgres" $((54330 + OFFSET))

echo "seeding $CLIENTS businesses..."
psql "$ADMIN_CONN" -X -q -v ON_ERROR_STOP=1 -v clients="$CLIENTS" <<'SQL'
INSERT INTO tenants (id, slug, name, industry)
SELECT gen_random_uuid(), 'bench-' || i, 'Bench business ' || i,
       (ARRAY['hvac', 'plumbing', 'electrical', 'roofing', 'landscaping', 'government_contractor'])[1 + i % 6]
FROM generate_series(1, :clients) i;
INSERT INTO users (id, tenant_id, email, name, role, status)
SELECT gen_random_uuid(), t.id, 'u' || i || '@' || t.slug || '.example', 'User ' || i, 'staff', 'active'
FROM tenants t CROSS JOIN LATERAL generate_series(1, 1 + abs(hashtext(t.slug)) % 40) i;
INSERT INTO leads (id, tenant_id, stage, outcome, won_amount, won_currency, outcome_at, created_at, updated_at)
SELECT gen_random_uuid(), t.id, 'new',
       CASE WHEN i % 3 = 0 THEN (CASE WHEN (i + abs(hashtext(t.slug))) % 7 < 3 THEN 'won' ELSE 'lost' END) END,
       CASE WHEN i % 3 = 0 AND (i + abs(hashtext(t.slug))) % 7 < 3 THEN 500 + (i * 37 + abs(hashtext(t.slug))) % 9000 END,
       CASE WHEN i % 3 = 0 AND (i + abs(hashtext(t.slug))) % 7 < 3 THEN 'USD' END,
       CASE WHEN i % 3 = 0 THEN now() - (i || ' hours')::interval + interval '2 days' END,
       now() - (i * 7 || ' hours')::interval, now()
FROM tenants t CROSS JOIN generate_series(1, 300) i;
INSERT INTO lead_stage_history (tenant_id, lead_id, from_stage, to_stage, changed_by, changed_at)
SELECT l.tenant_id, l.id, 'new', 'contacted', 'bench', l.created_at + ((abs(hashtext(l.id::text)) % 72) || ' hours')::interval
FROM leads l WHERE abs(hashtext(l.id::text)) % 2 = 0;
INSERT INTO ai_usage (id, tenant_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens, cost_usd, markup_rate,
                      billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
SELECT gen_random_uuid(), t.id, 'scoring', 'gpt-4.1-mini', 'bench', 800, 0, 120, 0.0004, 0.25, 0.0005 * (1 + abs(hashtext(t.slug)) % 20),
       false, false, 300, 'succeeded', now() - (i * 9 || ' hours')::interval
FROM tenants t CROSS JOIN generate_series(1, 200) i;
INSERT INTO invoices (id, tenant_id, period_start, period_end, currency, status, subtotal, discount_total, tax_rate, tax_total, total,
                      created_at, updated_at, number, finalized_at, issued_at, due_at)
SELECT gen_random_uuid(), t.id, (date_trunc('month', now()) - (m || ' months')::interval)::date,
       (date_trunc('month', now()) - ((m - 1) || ' months')::interval)::date, 'USD', 'paid', 300, 0, 0, 0, 300, now(), now(),
       'INV-' || t.slug || '-' || m, now() - (m * 30 || ' days')::interval, now() - (m * 30 || ' days')::interval, now()
FROM tenants t CROSS JOIN generate_series(1, 3) m;
ANALYZE;
SQL

time_of() {
  local conn=$1 sql=$2 times=() t
  for ((r = 0; r < RUNS; r++)); do
    t=$(psql "$conn" -X -A -t -q -c "EXPLAIN (ANALYZE, FORMAT JSON) $sql" | grep -o '"Execution Time": [0-9.]*' | grep -o '[0-9.]*$')
    times+=("$t")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

WINDOW="now() - interval '90 days', now()"
figures=$(time_of "$APP_CONN" "SELECT * FROM benchmark_tenant_metrics($WINDOW)")
# As the database owner, like the function (SECURITY DEFINER): the app role sees no business's rows without a tenant set.
baseline=$(time_of "$ADMIN_CONN" "SELECT tenant_id, count(*) FROM leads WHERE created_at >= now() - interval '90 days' GROUP BY tenant_id")
echo "peer benchmarks, $CLIENTS businesses, $((CLIENTS * 300)) leads, $((CLIENTS * 200)) AI calls (median of $RUNS, PostgreSQL execution time):"
printf '  %-52s %9.1f ms\n' "benchmark_tenant_metrics (every figure, every business)" "$figures"
printf '  %-52s %9.1f ms\n' "baseline: a count of leads per business" "$baseline"
awk -v a="$figures" -v b="$baseline" 'BEGIN { printf "  ratio %.1fx the baseline; target < 1,000 ms\n", a / b }'
