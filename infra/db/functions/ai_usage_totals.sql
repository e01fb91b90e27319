-- Provider analytics: per tenant, UTC day, feature and model, sums only — never a user, a row or a prompt.
CREATE OR REPLACE FUNCTION ai_usage_totals(from_time timestamptz, to_time timestamptz)
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
