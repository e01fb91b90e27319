-- Quote deposits (issue #13): payments received against an approved quote's deposit, recorded as invoice payments are
-- (the client's payment id makes a repeat harmless). A customer invoice that carries the quote counts them as paid.

CREATE TABLE quote_deposit_payments (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    payment_id    uuid NOT NULL,
    quote_id      uuid NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
    method        text NOT NULL CHECK (method IN ('cash', 'check', 'card', 'bank_transfer', 'other')),
    paid_at       timestamptz NOT NULL,
    reference     text CHECK (length(reference) <= 200),
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, payment_id)
);
CALL enable_tenant_isolation('quote_deposit_payments');
CREATE INDEX quote_deposit_payments_of_quote ON quote_deposit_payments (quote_id, paid_at);
REVOKE UPDATE, DELETE ON quote_deposit_payments FROM $AppRole$;

-- The deposits paid on the quotes an invoice carries, counted in its paid_minor from the draft on.
ALTER TABLE customer_invoices ADD COLUMN deposit_applied_minor bigint NOT NULL DEFAULT 0 CHECK (deposit_applied_minor >= 0);
