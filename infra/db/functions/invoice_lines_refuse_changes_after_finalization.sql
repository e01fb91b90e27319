-- The lines of a finalized invoice never change (trigger of 0040_billing.sql).
CREATE OR REPLACE FUNCTION invoice_lines_refuse_changes_after_finalization() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    target_invoice  uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM invoices WHERE id = target_invoice AND finalized_at IS NOT NULL) THEN
        RAISE EXCEPTION 'lines of a finalized invoice cannot change; issue a credit note'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
-- Privileges: the schema defaults (0001), as created.
