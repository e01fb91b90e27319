-- A month of usage for :clients client businesses, in last month (UTC): per client 10 active users (1 owner),
-- :leads leads, 3 AI ledger rows a day, and a price from last month on (billing day 1). Run as the superuser.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE bench_clients AS
SELECT gen_random_uuid() AS id, n FROM generate_series(1, :clients) AS n;

INSERT INTO tenants (id, slug, name, industry)
SELECT id, 'bench-' || n, 'Bench client ' || n, 'hvac' FROM bench_clients;

INSERT INTO users (id, tenant_id, email, name, role, status, created_at, updated_at)
SELECT gen_random_uuid(), c.id, CASE WHEN u = 1 THEN 'owner' ELSE 'user' || u END || '@bench-' || c.n || '.example.com',
       'Bench user', CASE WHEN u = 1 THEN 'owner' ELSE 'staff' END, 'active',
       date_trunc('month', now()) - interval '2 months', date_trunc('month', now()) - interval '2 months'
FROM bench_clients c CROSS JOIN generate_series(1, 10) AS u;

INSERT INTO leads (id, tenant_id, first_name, stage, created_at, updated_at)
SELECT gen_random_uuid(), c.id, 'Lead ' || l, 'new',
       date_trunc('month', now()) - interval '1 month' + (l % 28) * interval '1 day' + interval '9 hours',
       date_trunc('month', now()) - interval '1 month' + (l % 28) * interval '1 day' + interval '9 hours'
FROM bench_clients c CROSS JOIN generate_series(1, :leads) AS l;

INSERT INTO ai_usage (id, tenant_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens, cost_usd,
                      markup_rate, billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
SELECT gen_random_uuid(), c.id, 'assistant', 'gpt-4o-mini', 'primary', 1200, 0, 300, 0.0004, 0.25, 0.0005, false, false, 800, 'succeeded',
       date_trunc('month', now()) - interval '1 month' + d * interval '1 day' + k * interval '3 hours'
FROM bench_clients c CROSS JOIN generate_series(0, 27) AS d CROSS JOIN generate_series(1, 3) AS k;

INSERT INTO tenant_pricing (id, tenant_id, effective_from, currency, base_fee, seat_price, included_leads, lead_price, ai_markup_rate,
                            billing_day, recorded_at, recorded_by)
SELECT gen_random_uuid(), id, (date_trunc('month', now()) - interval '1 month')::date, 'USD', 199, 25, 200, 0.5, 0.25, 1, now(), 'bench'
FROM bench_clients;
COMMIT;
SELECT count(*) AS clients FROM bench_clients;
