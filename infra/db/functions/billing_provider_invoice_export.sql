-- The CSV export, one row per line of every finalized invoice issued (UTC date) from from_day to to_day inclusive,
-- with the invoice's header repeated on each line. An invoice without lines still gives one row (line columns NULL),
-- so the same function serves the per-invoice export (position IS NULL OR position = first).
CREATE OR REPLACE FUNCTION billing_provider_invoice_export(from_day date, to_day date)
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
