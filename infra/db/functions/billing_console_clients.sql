-- The monetization console: per client, its price on the UTC day of at_time (the latest effective_from <= that day,
-- latest recorded_at breaking ties) with the plan's code and name, active seats, leads created in its current
-- billing period (from its billing day, the 1st without a price), and its AI cost and billed amount in the UTC month
-- against its monthly AI limit (NULL: the configured default applies). Counts and sums only.
CREATE OR REPLACE FUNCTION billing_console_clients(at_time timestamptz)
RETURNS TABLE (
    tenant_id              uuid,
    tenant_name            text,
    tenant_slug            text,
    tenant_status          text,
    pricing_effective_from date,
    plan_code              text,
    plan_name              text,
    currency               text,
    base_fee               numeric,
    seat_price             numeric,
    included_leads         integer,
    lead_price             numeric,
    ai_markup_rate         numeric,
    discount_kind          text,
    discount_value         numeric,
    discount_ends_on       date,
    billing_day            integer,
    trial_ends_on          date,
    tax_rate               numeric,
    period_start           date,
    period_end             date,
    active_seats           bigint,
    leads_in_period        bigint,
    ai_cost_usd            numeric,
    ai_billable_usd        numeric,
    ai_monthly_limit_usd   numeric
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH day AS (
        SELECT (at_time AT TIME ZONE 'UTC')::date AS today
    ),
    month AS (
        SELECT make_date(extract(year FROM today)::integer, extract(month FROM today)::integer, 1) AS month_start FROM day
    ),
    current_pricing AS (
        SELECT DISTINCT ON (p.tenant_id) p.*
        FROM tenant_pricing p, day
        WHERE p.effective_from <= day.today
        ORDER BY p.tenant_id, p.effective_from DESC, p.recorded_at DESC
    ),
    clients AS (
        SELECT t.id, t.name, t.slug, t.status, cp.id AS pricing_id, coalesce(cp.billing_day, 1)::integer AS billing_day,
               -- The billing period containing today starts on the billing day of this month, or of the last one.
               make_date(extract(year FROM day.today - (coalesce(cp.billing_day, 1) - 1))::integer,
                         extract(month FROM day.today - (coalesce(cp.billing_day, 1) - 1))::integer,
                         coalesce(cp.billing_day, 1)::integer) AS period_start
        FROM tenants t
        CROSS JOIN day
        LEFT JOIN current_pricing cp ON cp.tenant_id = t.id
    ),
    seats AS (
        SELECT u.tenant_id, count(*) AS active FROM users u WHERE u.status = 'active' GROUP BY u.tenant_id
    ),
    lead_counts AS (
        SELECT c.id AS tenant_id, count(*) AS created
        FROM clients c
        JOIN leads l ON l.tenant_id = c.id
                    AND l.created_at >= (c.period_start::timestamp AT TIME ZONE 'UTC')
                    AND l.created_at < ((c.period_start + interval '1 month') AT TIME ZONE 'UTC')
        GROUP BY c.id
    ),
    ai AS (
        SELECT a.tenant_id, sum(a.cost_usd) AS cost_usd, sum(a.billable_usd) AS billable_usd
        FROM ai_usage a, month
        WHERE a.occurred_at >= (month.month_start::timestamp AT TIME ZONE 'UTC')
          AND a.occurred_at < ((month.month_start + interval '1 month') AT TIME ZONE 'UTC')
        GROUP BY a.tenant_id
    )
    SELECT c.id, c.name, c.slug, c.status, cp.effective_from, bp.code, bp.name, cp.currency::text, cp.base_fee,
           cp.seat_price, cp.included_leads, cp.lead_price, cp.ai_markup_rate, cp.discount_kind, cp.discount_value,
           cp.discount_ends_on, c.billing_day, cp.trial_ends_on, cp.tax_rate, c.period_start,
           (c.period_start + interval '1 month')::date,
           coalesce(seats.active, 0), coalesce(lead_counts.created, 0),
           coalesce(ai.cost_usd, 0), coalesce(ai.billable_usd, 0), s.monthly_limit_usd
    FROM clients c
    LEFT JOIN current_pricing cp ON cp.id = c.pricing_id
    LEFT JOIN billing_plans bp ON bp.id = cp.plan_id
    LEFT JOIN ai_tenant_settings s ON s.tenant_id = c.id
    LEFT JOIN seats ON seats.tenant_id = c.id
    LEFT JOIN lead_counts ON lead_counts.tenant_id = c.id
    LEFT JOIN ai ON ai.tenant_id = c.id
    ORDER BY c.name, c.id
$$;
REVOKE ALL ON FUNCTION billing_console_clients(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_console_clients(timestamptz) TO $AppRole$;
