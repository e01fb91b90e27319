#!/usr/bin/env bash
# The billing console's cross-tenant reads on a provider-sized database, printed, never asserted:
# CLIENTS clients (default 100) with 36 months of invoices (5 lines each), 100 users, 2,000 leads and 5,000 AI
# calls apiece. Each SECURITY DEFINER function behind a console route runs as the app role under EXPLAIN ANALYZE;
# the figure is PostgreSQL's execution time (median of RUNS, default 5) — the HTTP layer adds JSON/CSV writing only.
#
#   bench/billing-console/run.sh [clients, default 100] [runs, default 5]
# Uses its own port (test port + 580) and .data/bench-billing-console/, so it runs beside ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
CLIENTS=${1:-100}
RUNS=${2:-5}
OFFSET=580
RUN_DIR="$ROOT/.data/bench-billing-console"

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sf_start_bench_database "$RUN_DIR/postgres" $((54330 + OFFSET))

echo "seeding $CLIENTS clients..."
psql "$ADMIN_CONN" -X -q -v ON_ERROR_STOP=1 -v clients="$CLIENTS" <<'SQL'
INSERT INTO tenants (id, slug, name, industry)
SELECT gen_random_uuid(), 'bench-' || i, 'Bench client ' || i, 'hvac' FROM generate_series(1, :clients) i;
INSERT INTO tenant_pricing (id, tenant_id, effective_from, currency, base_fee, seat_price, included_leads, lead_price, ai_markup_rate,
                            discount_kind, discount_value, billing_day, recorded_at, recorded_by)
SELECT gen_random_uuid(), t.id, d, 'USD', 99 + (row_number() OVER ()) % 50, 12.5, 500, 0.5, 0.25,
       CASE WHEN d > date '2026-01-01' THEN 'percent' END, CASE WHEN d > date '2026-01-01' THEN 10 END, 1 + (abs(hashtext(t.slug)) % 28), now(), 'bench'
FROM tenants t CROSS JOIN (VALUES (date '2023-01-01'), (date '2025-01-01'), (date '2026-06-01')) p(d);
INSERT INTO users (id, tenant_id, email, name, role, status)
SELECT gen_random_uuid(), t.id, 'u' || i || '@' || t.slug || '.example', 'User ' || i, 'staff', CASE WHEN i % 10 = 0 THEN 'disabled' ELSE 'active' END
FROM tenants t CROSS JOIN generate_series(1, 100) i;
INSERT INTO leads (id, tenant_id, stage, created_at, updated_at)
SELECT gen_random_uuid(), t.id, 'new', timestamptz '2026-11-26' - (i || ' hours')::interval, now()
FROM tenants t CROSS JOIN generate_series(1, 2000) i;
INSERT INTO ai_usage (id, tenant_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens, cost_usd, markup_rate,
                      billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
SELECT gen_random_uuid(), t.id, 'scoring', 'gpt-4.1-mini', 'bench', 800, 0, 120, 0.0004, 0.25, 0.0005, false, false, 300, 'succeeded',
       timestamptz '2026-11-26' - (i * 37 || ' minutes')::interval
FROM tenants t CROSS JOIN generate_series(1, 5000) i;
INSERT INTO invoices (id, tenant_id, period_start, period_end, currency, status, subtotal, discount_total, tax_rate, tax_total, total, created_at, updated_at)
SELECT gen_random_uuid(), t.id, (date '2023-11-01' + (m || ' months')::interval)::date, (date '2023-12-01' + (m || ' months')::interval)::date,
       'USD', 'draft', 1230, 23, 0.1, 120.70, 1327.70, now(), now()
FROM tenants t CROSS JOIN generate_series(0, 35) m;
INSERT INTO invoice_lines (id, tenant_id, invoice_id, position, line_type, description, quantity, unit_amount, amount, period_start, period_end)
SELECT gen_random_uuid(), i.tenant_id, i.id, l.position, l.line_type, l.line_type, 1, l.amount, l.amount, i.period_start, i.period_end
FROM invoices i CROSS JOIN (VALUES (1, 'base_fee', 100), (2, 'seats', 1000), (3, 'lead_overage', 100), (4, 'ai_usage', 30), (5, 'discount', -23)) l(position, line_type, amount);
UPDATE invoices SET number = 'INV-' || lpad(n::text, 6, '0'), finalized_at = period_end::timestamp AT TIME ZONE 'UTC',
                    issued_at = period_end::timestamp AT TIME ZONE 'UTC', due_at = (period_end + 14)::timestamp AT TIME ZONE 'UTC',
                    status = CASE WHEN period_start >= date '2026-10-01' THEN 'open' ELSE 'paid' END
FROM (SELECT id AS invoice_id, row_number() OVER (ORDER BY period_start, tenant_id) AS n FROM invoices) numbered
WHERE invoices.id = numbered.invoice_id;
ANALYZE;
SQL

time_of() {
  local label=$1 sql=$2 times=() t
  for ((r = 0; r < RUNS; r++)); do
    t=$(psql "$APP_CONN" -X -A -t -q -c "EXPLAIN (ANALYZE, FORMAT JSON) $sql" | grep -o '"Execution Time": [0-9.]*' | grep -o '[0-9.]*$')
    times+=("$t")
  done
  printf '%-58s %8.1f ms (median of %d)\n' "$label" "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$RUNS"
}

AT="timestamptz '2026-11-26 12:00:00+00'"
echo "billing console, $CLIENTS clients, $((CLIENTS * 36)) invoices, $((CLIENTS * 180)) lines, $((CLIENTS * 2000)) leads, $((CLIENTS * 5000)) AI calls:"
time_of "GET /provider/billing/clients: billing_console_clients" "SELECT * FROM billing_console_clients($AT)"
time_of "GET /provider/billing/clients: billing_console_receivables" "SELECT * FROM billing_console_receivables($AT)"
time_of "GET /provider/billing/analytics (12 months): revenue" "SELECT * FROM billing_revenue_by_month(date '2025-11-01', date '2026-11-30')"
time_of "GET /provider/billing/analytics (12 months): AI by month" "SELECT * FROM billing_ai_by_month(timestamptz '2025-12-01', timestamptz '2026-12-01')"
time_of "GET /provider/invoices (first page of 50)" "SELECT * FROM billing_provider_invoices(NULL, NULL, NULL, NULL, false, $AT, NULL, NULL, 51)"
time_of "GET /provider/invoices?overdue=true" "SELECT * FROM billing_provider_invoices(NULL, NULL, NULL, NULL, true, $AT, NULL, NULL, 51)"
time_of "GET /provider/invoices/export (one year, lines)" "SELECT * FROM billing_provider_invoice_export(date '2025-01-01', date '2025-12-31')"
