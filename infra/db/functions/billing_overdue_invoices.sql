-- Finalized invoices still owed after their due date: ids, client and amounts only, oldest due first.
CREATE OR REPLACE FUNCTION billing_overdue_invoices(at_time timestamptz)
RETURNS TABLE (
    tenant_id   uuid,
    invoice_id  uuid,
    due_at      timestamptz,
    currency    char(3),
    amount_due  numeric
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT i.tenant_id, i.id, i.due_at, i.currency, i.total - i.credited_total
    FROM invoices i
    WHERE i.status IN ('open', 'payment_failed')
      AND i.due_at < at_time
      AND i.total - i.credited_total > 0
    ORDER BY i.due_at, i.id
$$;
REVOKE ALL ON FUNCTION billing_overdue_invoices(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_overdue_invoices(timestamptz) TO $AppRole$;
