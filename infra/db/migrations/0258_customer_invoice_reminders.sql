-- Reminders of overdue customer invoices (issue #13): a sent invoice still unpaid N days after its due date is mailed
-- to its customer again, every N days, at most three times (N per business, fieldops_settings.overdue_reminder_days,
-- 0 for none). Each step is recorded before its mail leaves, in the same transaction, so it is never sent twice.

ALTER TABLE fieldops_settings ADD COLUMN overdue_reminder_days integer NOT NULL DEFAULT 7
    CHECK (overdue_reminder_days BETWEEN 0 AND 90);

CREATE TABLE customer_invoice_reminders (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    invoice_id    uuid NOT NULL REFERENCES customer_invoices (id) ON DELETE CASCADE,
    -- 1, 2 or 3: the reminder due step × N days after the due date.
    step          smallint NOT NULL CHECK (step BETWEEN 1 AND 3),
    days_overdue  integer NOT NULL CHECK (days_overdue > 0),
    sent_to       text NOT NULL,
    sent_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, step)
);
CALL enable_tenant_isolation('customer_invoice_reminders');
REVOKE UPDATE, DELETE ON customer_invoice_reminders FROM $AppRole$;
