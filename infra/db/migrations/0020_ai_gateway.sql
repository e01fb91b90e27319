-- Forward-only. The AI gateway: per-tenant AI settings, spend counters and reservations that make budgets hold
-- under concurrency, the usage ledger billing reads, and the response cache for deterministic calls.
-- Amounts are USD with 10 decimals: one token of a small model costs well under a millionth of a dollar.

-- What the provider decided for a tenant's AI use. No row (or a NULL limit) means the configured default.
CREATE TABLE ai_tenant_settings (
    tenant_id            uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    daily_limit_usd      numeric(20, 10) CHECK (daily_limit_usd >= 0),
    monthly_limit_usd    numeric(20, 10) CHECK (monthly_limit_usd >= 0),
    markup_rate          numeric(9, 6) NOT NULL DEFAULT 0 CHECK (markup_rate >= 0),
    allow_personal_data  boolean NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CALL enable_tenant_isolation('ai_tenant_settings');

-- Provider-wide spend per UTC calendar month. A platform table: sums only, nothing of any tenant.
-- reserved_usd is the maximum cost of calls in flight; spent_usd what finished calls cost.
CREATE TABLE ai_provider_spend (
    period_start  date PRIMARY KEY,
    spent_usd     numeric(20, 10) NOT NULL DEFAULT 0 CHECK (spent_usd >= 0),
    reserved_usd  numeric(20, 10) NOT NULL DEFAULT 0 CHECK (reserved_usd >= 0),
    warned_at     timestamptz
);
REVOKE DELETE ON ai_provider_spend FROM $AppRole$;

-- A tenant's spend per UTC day and per UTC month; warned_at records the one warning per period.
CREATE TABLE ai_tenant_spend (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    period_kind   text NOT NULL CHECK (period_kind IN ('day', 'month')),
    period_start  date NOT NULL,
    spent_usd     numeric(20, 10) NOT NULL DEFAULT 0 CHECK (spent_usd >= 0),
    reserved_usd  numeric(20, 10) NOT NULL DEFAULT 0 CHECK (reserved_usd >= 0),
    warned_at     timestamptz,
    PRIMARY KEY (tenant_id, period_kind, period_start)
);
CALL enable_tenant_isolation('ai_tenant_spend');
REVOKE DELETE ON ai_tenant_spend FROM $AppRole$;

-- Calls in flight: what each reserved and against which periods. A row that outlives expires_at belongs to a
-- call that never reconciled (crash); ai_release_expired_reservations gives its amount back.
CREATE TABLE ai_reservations (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    amount_usd   numeric(20, 10) NOT NULL CHECK (amount_usd >= 0),
    day_start    date NOT NULL,
    month_start  date NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX ai_reservations_expires_at ON ai_reservations (expires_at);
CALL enable_tenant_isolation('ai_reservations');

-- The usage ledger: one row per gateway call, whatever its outcome. Append-only for the application.
CREATE TABLE ai_usage (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants (id),
    user_id              uuid,
    feature              text NOT NULL CHECK (feature ~ '^[a-z][a-z0-9_-]{0,39}$'),
    model                text NOT NULL,
    deployment           text NOT NULL,
    input_tokens         integer NOT NULL CHECK (input_tokens >= 0),
    cached_input_tokens  integer NOT NULL CHECK (cached_input_tokens >= 0),
    output_tokens        integer NOT NULL CHECK (output_tokens >= 0),
    cost_usd             numeric(20, 10) NOT NULL CHECK (cost_usd >= 0),
    markup_rate          numeric(9, 6) NOT NULL CHECK (markup_rate >= 0),
    billable_usd         numeric(20, 10) NOT NULL CHECK (billable_usd >= 0),
    cache_hit            boolean NOT NULL,
    streamed             boolean NOT NULL,
    latency_ms           integer NOT NULL CHECK (latency_ms >= 0),
    outcome              text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'refused_budget', 'cached', 'cancelled')),
    occurred_at          timestamptz NOT NULL
);
CREATE INDEX ai_usage_tenant_occurred_at ON ai_usage (tenant_id, occurred_at);
CREATE INDEX ai_usage_occurred_at ON ai_usage (occurred_at);
CALL enable_tenant_isolation('ai_usage');
REVOKE UPDATE, DELETE ON ai_usage FROM $AppRole$;

-- Answers to deterministic calls (temperature 0), per tenant: one tenant's prompts never answer another's.
-- cache_key is SHA-256 over model, parameters and the (redacted) messages; the prompt itself is not kept.
CREATE TABLE ai_response_cache (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    cache_key      bytea NOT NULL,
    model          text NOT NULL,
    deployment     text NOT NULL,
    response       text NOT NULL,
    finish_reason  text,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, cache_key)
);
CREATE INDEX ai_response_cache_expires_at ON ai_response_cache (tenant_id, expires_at);
CALL enable_tenant_isolation('ai_response_cache');

-- The narrow cross-tenant paths. Row-level security is FORCEd, so even the owner (this migration's role, which
-- owns the functions below) sees no tenant rows without a policy of its own. These policies let the owner — and
-- so only the SECURITY DEFINER functions below, since the application role is never granted the owner role —
-- read the ledger for aggregates and release expired reservations across tenants.
CREATE POLICY ai_owner_aggregates ON ai_usage FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY ai_owner_reservation_expiry ON ai_reservations FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY ai_owner_reservation_expiry ON ai_tenant_spend FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);

-- Provider analytics: per tenant, UTC day, feature and model, sums only — never a user, a row or a prompt.
CREATE FUNCTION ai_usage_totals(from_time timestamptz, to_time timestamptz)
RETURNS TABLE (
    tenant_id            uuid,
    day                  date,
    feature              text,
    model                text,
    calls                bigint,
    succeeded            bigint,
    cached               bigint,
    refused              bigint,
    failed               bigint,
    input_tokens         bigint,
    cached_input_tokens  bigint,
    output_tokens        bigint,
    cost_usd             numeric,
    billable_usd         numeric
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT u.tenant_id,
           (u.occurred_at AT TIME ZONE 'UTC')::date,
           u.feature,
           u.model,
           count(*),
           count(*) FILTER (WHERE u.outcome = 'succeeded'),
           count(*) FILTER (WHERE u.outcome = 'cached'),
           count(*) FILTER (WHERE u.outcome = 'refused_budget'),
           count(*) FILTER (WHERE u.outcome IN ('failed', 'cancelled')),
           sum(u.input_tokens),
           sum(u.cached_input_tokens),
           sum(u.output_tokens),
           sum(u.cost_usd),
           sum(u.billable_usd)
    FROM ai_usage u
    WHERE u.occurred_at >= from_time AND u.occurred_at < to_time
    GROUP BY 1, 2, 3, 4
    ORDER BY 2, 1, 3, 4
$$;
REVOKE ALL ON FUNCTION ai_usage_totals(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ai_usage_totals(timestamptz, timestamptz) TO $AppRole$;

-- Gives back what crashed calls reserved. Counter rows are locked in the gateway's own order (provider month,
-- then tenant rows by tenant, kind, period) so that this never deadlocks with a reservation or a reconciliation;
-- reservations being reconciled right now are skipped, so each amount is released exactly once.
CREATE FUNCTION ai_release_expired_reservations(at_time timestamptz, max_rows integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    released  integer;
    tenants   uuid[];
    amounts   numeric[];
    days      date[];
    months    date[];
BEGIN
    WITH expired AS (
        DELETE FROM ai_reservations r
        USING (SELECT id FROM ai_reservations
               WHERE expires_at <= at_time
               ORDER BY expires_at
               LIMIT max_rows
               FOR UPDATE SKIP LOCKED) e
        WHERE r.id = e.id
        RETURNING r.tenant_id, r.amount_usd, r.day_start, r.month_start
    )
    SELECT count(*)::integer, array_agg(tenant_id), array_agg(amount_usd), array_agg(day_start), array_agg(month_start)
    INTO released, tenants, amounts, days, months
    FROM expired;

    IF released = 0 THEN
        RETURN 0;
    END IF;

    PERFORM 1 FROM ai_provider_spend WHERE period_start = ANY (months) ORDER BY period_start FOR UPDATE;
    UPDATE ai_provider_spend p
    SET reserved_usd = greatest(p.reserved_usd - x.amount, 0)
    FROM (SELECT m AS period_start, sum(a) AS amount FROM unnest(months, amounts) AS u(m, a) GROUP BY m) x
    WHERE p.period_start = x.period_start;

    PERFORM 1
    FROM ai_tenant_spend s
    JOIN (SELECT t, 'day'::text AS k, d AS p FROM unnest(tenants, days) AS u(t, d)
          UNION SELECT t, 'month'::text, m FROM unnest(tenants, months) AS u(t, m)) x
      ON s.tenant_id = x.t AND s.period_kind = x.k AND s.period_start = x.p
    ORDER BY s.tenant_id, s.period_kind, s.period_start
    FOR UPDATE OF s;
    UPDATE ai_tenant_spend s
    SET reserved_usd = greatest(s.reserved_usd - x.amount, 0)
    FROM (SELECT t, 'day'::text AS k, d AS p, sum(a) AS amount FROM unnest(tenants, days, amounts) AS u(t, d, a) GROUP BY t, d
          UNION ALL
          SELECT t, 'month'::text, m, sum(a) FROM unnest(tenants, months, amounts) AS u(t, m, a) GROUP BY t, m) x
    WHERE s.tenant_id = x.t AND s.period_kind = x.k AND s.period_start = x.p;

    RETURN released;
END;
$$;
REVOKE ALL ON FUNCTION ai_release_expired_reservations(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ai_release_expired_reservations(timestamptz, integer) TO $AppRole$;
