-- Forward-only. The provider's billing console: invoices across clients, the monetization console and revenue
-- analytics. These are the only cross-tenant reads of billing data, and they follow 0020_ai_gateway.sql: the
-- application role gets no policy that sees more than one tenant; the owner (this migration's role, which owns the
-- functions below and which the application role is never granted) gets read-only policies, so that only these
-- SECURITY DEFINER functions read across tenants, and each returns only what its screen needs.

CREATE POLICY billing_console_owner_reads ON invoices FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY billing_console_owner_reads ON invoice_lines FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY billing_console_owner_reads ON tenant_pricing FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY billing_console_owner_reads ON ai_tenant_settings FOR SELECT TO CURRENT_USER USING (true);
-- Users and leads are read only to count them (active seats, leads created in the billing period).
CREATE POLICY billing_console_owner_counts ON users FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY billing_console_owner_counts ON leads FOR SELECT TO CURRENT_USER USING (true);

-- Whether an invoice is overdue at a time: still to be paid and past its due date.
CREATE FUNCTION billing_invoice_is_overdue(invoice_status text, due timestamptz, at_time timestamptz)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
SET search_path = public, pg_temp
AS $$
    SELECT invoice_status IN ('open', 'payment_failed') AND due IS NOT NULL AND due < at_time
$$;

-- The provider's invoice list across clients: invoice headers (no lines) with the client's name, newest period first,
-- keyset-paged on (period_start, id). Every filter is optional (NULL).
CREATE FUNCTION billing_provider_invoices(
    only_tenant   uuid,
    only_status   text,
    period_from   date,
    period_to     date,
    only_overdue  boolean,
    at_time       timestamptz,
    after_period  date,
    after_id      uuid,
    max_rows      integer)
RETURNS TABLE (
    id              uuid,
    tenant_id       uuid,
    tenant_name     text,
    tenant_slug     text,
    number          text,
    status          text,
    period_start    date,
    period_end      date,
    currency        text,
    subtotal        numeric,
    discount_total  numeric,
    tax_total       numeric,
    total           numeric,
    credited_total  numeric,
    issued_at       timestamptz,
    due_at          timestamptz,
    paid_at         timestamptz,
    overdue         boolean
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT i.id, i.tenant_id, t.name, t.slug, i.number, i.status, i.period_start, i.period_end, i.currency::text,
           i.subtotal, i.discount_total, i.tax_total, i.total, i.credited_total, i.issued_at, i.due_at, i.paid_at,
           billing_invoice_is_overdue(i.status, i.due_at, at_time)
    FROM invoices i
    JOIN tenants t ON t.id = i.tenant_id
    WHERE (only_tenant IS NULL OR i.tenant_id = only_tenant)
      AND (only_status IS NULL OR i.status = only_status)
      AND (period_from IS NULL OR i.period_start >= period_from)
      AND (period_to IS NULL OR i.period_start <= period_to)
      AND (NOT coalesce(only_overdue, false) OR billing_invoice_is_overdue(i.status, i.due_at, at_time))
      AND (after_period IS NULL OR (i.period_start, i.id) < (after_period, after_id))
    ORDER BY i.period_start DESC, i.id DESC
    LIMIT max_rows
$$;
REVOKE ALL ON FUNCTION billing_provider_invoices(uuid, text, date, date, boolean, timestamptz, date, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_provider_invoices(uuid, text, date, date, boolean, timestamptz, date, uuid, integer) TO $AppRole$;

-- The CSV export, one row per line of every finalized invoice issued (UTC date) from from_day to to_day inclusive,
-- with the invoice's header repeated on each line. An invoice without lines still gives one row (line columns NULL),
-- so the same function serves the per-invoice export (position IS NULL OR position = first).
CREATE FUNCTION billing_provider_invoice_export(from_day date, to_day date)
RETURNS TABLE (
    invoice_id      uuid,
    tenant_id       uuid,
    tenant_name     text,
    tenant_slug     text,
    number          text,
    status          text,
    period_start    date,
    period_end      date,
    currency        text,
    subtotal        numeric,
    discount_total  numeric,
    tax_rate        numeric,
    tax_total       numeric,
    total           numeric,
    credited_total  numeric,
    issued_at       timestamptz,
    due_at          timestamptz,
    paid_at         timestamptz,
    line_position   integer,
    line_type       text,
    description     text,
    quantity        numeric,
    unit_amount     numeric,
    amount          numeric,
    line_start      date,
    line_end        date
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT i.id, i.tenant_id, t.name, t.slug, i.number, i.status, i.period_start, i.period_end, i.currency::text,
           i.subtotal, i.discount_total, i.tax_rate, i.tax_total, i.total, i.credited_total, i.issued_at, i.due_at,
           i.paid_at, l.position::integer, l.line_type, l.description, l.quantity, l.unit_amount, l.amount,
           l.period_start, l.period_end
    FROM invoices i
    JOIN tenants t ON t.id = i.tenant_id
    LEFT JOIN invoice_lines l ON l.invoice_id = i.id
    WHERE i.finalized_at IS NOT NULL
      AND i.issued_at >= (from_day::timestamp AT TIME ZONE 'UTC')
      AND i.issued_at < ((to_day + 1)::timestamp AT TIME ZONE 'UTC')
    ORDER BY i.issued_at, i.number, l.position
$$;
REVOKE ALL ON FUNCTION billing_provider_invoice_export(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_provider_invoice_export(date, date) TO $AppRole$;

-- The monetization console: per client, its price on the UTC day of at_time (the latest effective_from <= that day,
-- latest recorded_at breaking ties) with the plan's code and name, active seats, leads created in its current
-- billing period (from its billing day, the 1st without a price), and its AI cost and billed amount in the UTC month
-- against its monthly AI limit (NULL: the configured default applies). Counts and sums only.
CREATE FUNCTION billing_console_clients(at_time timestamptz)
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
    )
    SELECT c.id, c.name, c.slug, c.status, cp.effective_from, bp.code, bp.name, cp.currency::text, cp.base_fee,
           cp.seat_price, cp.included_leads, cp.lead_price, cp.ai_markup_rate, cp.discount_kind, cp.discount_value,
           cp.discount_ends_on, c.billing_day, cp.trial_ends_on, cp.tax_rate, c.period_start,
           (c.period_start + interval '1 month')::date,
           (SELECT count(*) FROM users u WHERE u.tenant_id = c.id AND u.status = 'active'),
           (SELECT count(*) FROM leads l
            WHERE l.tenant_id = c.id
              AND l.created_at >= (c.period_start::timestamp AT TIME ZONE 'UTC')
              AND l.created_at < ((c.period_start + interval '1 month') AT TIME ZONE 'UTC')),
           coalesce(ai.cost_usd, 0),
           coalesce(ai.billable_usd, 0),
           s.monthly_limit_usd
    FROM clients c
    CROSS JOIN month
    LEFT JOIN current_pricing cp ON cp.id = c.pricing_id
    LEFT JOIN billing_plans bp ON bp.id = cp.plan_id
    LEFT JOIN ai_tenant_settings s ON s.tenant_id = c.id
    LEFT JOIN LATERAL (
        SELECT sum(a.cost_usd) AS cost_usd, sum(a.billable_usd) AS billable_usd
        FROM ai_usage a
        WHERE a.tenant_id = c.id
          AND a.occurred_at >= (month.month_start::timestamp AT TIME ZONE 'UTC')
          AND a.occurred_at < ((month.month_start + interval '1 month') AT TIME ZONE 'UTC')
    ) ai ON true
    ORDER BY c.name, c.id
$$;
REVOKE ALL ON FUNCTION billing_console_clients(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_console_clients(timestamptz) TO $AppRole$;

-- What each client still owes at at_time, per currency: open and failed invoices, less what was credited.
CREATE FUNCTION billing_console_receivables(at_time timestamptz)
RETURNS TABLE (
    tenant_id         uuid,
    currency          text,
    outstanding       numeric,
    overdue           numeric,
    open_invoices     bigint,
    overdue_invoices  bigint
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT i.tenant_id,
           i.currency::text,
           sum(greatest(i.total - i.credited_total, 0)),
           coalesce(sum(greatest(i.total - i.credited_total, 0))
                    FILTER (WHERE billing_invoice_is_overdue(i.status, i.due_at, at_time)), 0),
           count(*),
           count(*) FILTER (WHERE billing_invoice_is_overdue(i.status, i.due_at, at_time))
    FROM invoices i
    WHERE i.status IN ('open', 'payment_failed')
    GROUP BY i.tenant_id, i.currency
    ORDER BY i.tenant_id, i.currency
$$;
REVOKE ALL ON FUNCTION billing_console_receivables(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_console_receivables(timestamptz) TO $AppRole$;

-- Revenue analytics: invoiced amounts per client, month of the billing period's start, currency and line type, over
-- finalized invoices that are not void, for periods starting from from_day to to_day inclusive. Discount lines count
-- as negative whichever sign the calculator stores them with.
CREATE FUNCTION billing_revenue_by_month(from_day date, to_day date)
RETURNS TABLE (
    tenant_id    uuid,
    tenant_name  text,
    tenant_slug  text,
    month        date,
    currency     text,
    line_type    text,
    amount       numeric
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT i.tenant_id, t.name, t.slug,
           make_date(extract(year FROM i.period_start)::integer, extract(month FROM i.period_start)::integer, 1),
           i.currency::text,
           l.line_type,
           sum(CASE WHEN l.line_type = 'discount' THEN -abs(l.amount) ELSE l.amount END)
    FROM invoices i
    JOIN tenants t ON t.id = i.tenant_id
    JOIN invoice_lines l ON l.invoice_id = i.id
    WHERE i.finalized_at IS NOT NULL
      AND i.status <> 'void'
      AND i.period_start >= from_day
      AND i.period_start <= to_day
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 4, 1, 5, 6
$$;
REVOKE ALL ON FUNCTION billing_revenue_by_month(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_revenue_by_month(date, date) TO $AppRole$;
