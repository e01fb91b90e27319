-- The provider's invoice list across clients: invoice headers (no lines) with the client's name, newest period first,
-- keyset-paged on (period_start, id). Every filter is optional (NULL).
CREATE OR REPLACE FUNCTION billing_provider_invoices(
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
