-- AI cost and billed amount per UTC month across clients (sums only), for the revenue analytics' AI margin.
CREATE OR REPLACE FUNCTION billing_ai_by_month(from_time timestamptz, to_time timestamptz)
RETURNS TABLE (
    month         date,
    cost_usd      numeric,
    billable_usd  numeric
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT date_trunc('month', a.occurred_at AT TIME ZONE 'UTC')::date, sum(a.cost_usd), sum(a.billable_usd)
    FROM ai_usage a
    WHERE a.occurred_at >= from_time AND a.occurred_at < to_time
    GROUP BY 1
    ORDER BY 1
$$;
REVOKE ALL ON FUNCTION billing_ai_by_month(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_ai_by_month(timestamptz, timestamptz) TO $AppRole$;
