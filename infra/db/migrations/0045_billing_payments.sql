-- Forward-only. Collecting invoices: Stripe progress, dunning reminders and provider alerts.

-- Dunning sends each reminder day and the provider alert once per invoice, even when two timer runs overlap (the
-- Functions app scales out): the row that records the send is claimed before the mail goes out, and this index
-- lets only one run claim it.
CREATE UNIQUE INDEX invoice_events_once_per_invoice ON invoice_events (invoice_id, kind, (coalesce(details ->> 'day', '')))
    WHERE kind IN ('reminder_sent', 'provider_alerted');

-- The dunning timer's one cross-tenant read. Row-level security is FORCEd, so even the owner (this migration's
-- role, which owns the function below) sees no invoices without a policy of its own; this policy lets the owner —
-- and so only the SECURITY DEFINER function below, since the application role is never granted the owner role —
-- find overdue invoices. Everything else (the reminders, the history) runs in each tenant's own transaction.
CREATE POLICY billing_dunning_owner_scan ON invoices FOR SELECT TO CURRENT_USER USING (true);

-- Finalized invoices still owed after their due date: ids, client and amounts only, oldest due first.
CREATE FUNCTION billing_overdue_invoices(at_time timestamptz)
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
