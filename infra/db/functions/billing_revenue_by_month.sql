-- Revenue analytics: invoiced amounts per client, month of the billing period's start, currency and line type, over
-- finalized invoices that are not void, for periods starting from from_day to to_day inclusive. Discount lines count
-- as negative whichever sign the calculator stores them with; a credit note lowers the revenue of the period its
-- invoice billed, as a 'credit_note' line type, and account credit taken off an invoice (credit_note_applications)
-- lowers that invoice's period, as an 'account_credit' line type.
CREATE OR REPLACE FUNCTION billing_revenue_by_month(from_day date, to_day date)
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
    WITH billed AS (
        SELECT i.tenant_id, i.period_start, i.currency::text AS currency, l.line_type,
               CASE WHEN l.line_type = 'discount' THEN -abs(l.amount) ELSE l.amount END AS amount
        FROM invoices i
        JOIN invoice_lines l ON l.invoice_id = i.id
        WHERE i.finalized_at IS NOT NULL AND i.status <> 'void'
          AND i.period_start >= from_day AND i.period_start <= to_day
        UNION ALL
        SELECT i.tenant_id, i.period_start, i.currency::text, 'credit_note', -c.amount
        FROM invoices i
        JOIN credit_notes c ON c.invoice_id = i.id
        WHERE i.finalized_at IS NOT NULL AND i.status <> 'void'
          AND i.period_start >= from_day AND i.period_start <= to_day
        UNION ALL
        SELECT i.tenant_id, i.period_start, i.currency::text, 'account_credit', -a.amount
        FROM invoices i
        JOIN credit_note_applications a ON a.invoice_id = i.id
        WHERE i.finalized_at IS NOT NULL AND i.status <> 'void'
          AND i.period_start >= from_day AND i.period_start <= to_day
    )
    SELECT b.tenant_id, t.name, t.slug, date_trunc('month', b.period_start)::date, b.currency, b.line_type, sum(b.amount)
    FROM billed b
    JOIN tenants t ON t.id = b.tenant_id
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 4, 1, 5, 6
$$;
REVOKE ALL ON FUNCTION billing_revenue_by_month(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_revenue_by_month(date, date) TO $AppRole$;
