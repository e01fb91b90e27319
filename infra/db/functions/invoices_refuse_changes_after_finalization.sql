-- A finalized invoice's amounts and lines never change: only its payment state, delivery marks and Stripe id may.
-- A finalized invoice's amounts and lines never change: only its payment state, delivery marks and Stripe id may.
CREATE OR REPLACE FUNCTION invoices_refuse_changes_after_finalization() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.finalized_at IS NULL THEN
        RETURN NEW;
    END IF;
    IF (NEW.tenant_id, NEW.number, NEW.period_start, NEW.period_end, NEW.currency, NEW.subtotal, NEW.discount_total,
        NEW.tax_rate, NEW.tax_total, NEW.total, NEW.issued_at, NEW.due_at, NEW.finalized_at)
       IS DISTINCT FROM
       (OLD.tenant_id, OLD.number, OLD.period_start, OLD.period_end, OLD.currency, OLD.subtotal, OLD.discount_total,
        OLD.tax_rate, OLD.tax_total, OLD.total, OLD.issued_at, OLD.due_at, OLD.finalized_at)
       OR NEW.status = 'draft' THEN
        RAISE EXCEPTION 'invoice % is finalized and cannot change; issue a credit note', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- Privileges: the schema defaults (0001), as created.
