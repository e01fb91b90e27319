-- What each client still owes at at_time, per currency: open and failed invoices, less what was credited.
CREATE OR REPLACE FUNCTION billing_console_receivables(at_time timestamptz)
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
