-- Forward-only. Account credit (issue #21: "offer a credit note within a limit"). A credit note no longer has to
-- correct one invoice: without an invoice it is credit on the client's account, which the billing cycle applies to
-- the next invoice(s) it finalizes, oldest credit first, in the invoice's currency, never below zero. Each application
-- is a row here, written in the transaction that finalizes the invoice (a finalized invoice is never finalized again),
-- and unique per credit note and invoice: a retried or resumed run applies nothing twice.
ALTER TABLE credit_notes ALTER COLUMN invoice_id DROP NOT NULL;
CREATE INDEX credit_notes_tenant_created ON credit_notes (tenant_id, created_at);

CREATE TABLE credit_note_applications (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    credit_note_id  uuid NOT NULL REFERENCES credit_notes (id),
    invoice_id      uuid NOT NULL REFERENCES invoices (id),
    amount          numeric(14, 2) NOT NULL CHECK (amount > 0),
    applied_at      timestamptz NOT NULL,
    UNIQUE (credit_note_id, invoice_id)
);
CREATE INDEX credit_note_applications_invoice ON credit_note_applications (invoice_id);
CALL enable_tenant_isolation('credit_note_applications');
REVOKE UPDATE, DELETE ON credit_note_applications FROM $AppRole$;
