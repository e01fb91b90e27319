-- Whether an invoice is overdue at a time: still to be paid and past its due date.
CREATE OR REPLACE FUNCTION billing_invoice_is_overdue(invoice_status text, due timestamptz, at_time timestamptz)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
SET search_path = public, pg_temp
AS $$
    SELECT invoice_status IN ('open', 'payment_failed') AND due IS NOT NULL AND due < at_time
$$;
-- Privileges: the schema defaults (0001), as created.
