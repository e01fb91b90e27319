-- The business's own invoices to its customers (issue #13), drafted from completed visits: lines from the approved
-- quote of each visit's job and labour. Not the provider's billing of tenants (invoices, 0040_billing.sql). Tenant
-- tables under the usual row-level security.

CREATE TABLE customer_invoices (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- CI-<number>, in order of drafting within the business.
    number          integer NOT NULL CHECK (number > 0),
    status          text NOT NULL CHECK (status IN ('draft', 'sent', 'paid', 'void')),
    customer_name   text NOT NULL CHECK (length(customer_name) BETWEEN 1 AND 200),
    currency        char(3) NOT NULL,
    -- Percent, e.g. 8.25, applied once to the taxable lines.
    tax_rate        numeric(6, 3) NOT NULL CHECK (tax_rate >= 0 AND tax_rate <= 100),
    -- [{ "kind": "quote"|"labour", "description", "quantity", "unitPrice" (decimal string), "taxable", "visitId"?, "quoteId"? }]
    lines           jsonb NOT NULL,
    subtotal_minor  bigint NOT NULL CHECK (subtotal_minor >= 0),
    tax_minor       bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor     bigint NOT NULL CHECK (total_minor >= 0),
    notes           text CHECK (length(notes) <= 4000),
    due_on          date NOT NULL,
    void_reason     text CHECK (length(void_reason) <= 1000),
    sent_at         timestamptz,
    paid_at         timestamptz,
    voided_at       timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, number)
);
CALL enable_tenant_isolation('customer_invoices');
CREATE INDEX customer_invoices_list ON customer_invoices (tenant_id, id DESC);

-- What an invoice bills: its visits and the quotes whose lines it carries. A visit or a quote is on at most one live
-- (not void) invoice; voiding releases them.
CREATE TABLE customer_invoice_items (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    invoice_id  uuid NOT NULL REFERENCES customer_invoices (id) ON DELETE CASCADE,
    visit_id    uuid REFERENCES visits (id) ON DELETE SET NULL,
    quote_id    uuid REFERENCES quotes (id) ON DELETE SET NULL,
    live        boolean NOT NULL DEFAULT true,
    CHECK ((visit_id IS NULL) <> (quote_id IS NULL))
);
CALL enable_tenant_isolation('customer_invoice_items');
CREATE INDEX customer_invoice_items_of_invoice ON customer_invoice_items (invoice_id);
CREATE UNIQUE INDEX customer_invoice_items_visit_once ON customer_invoice_items (visit_id) WHERE live AND visit_id IS NOT NULL;
CREATE UNIQUE INDEX customer_invoice_items_quote_once ON customer_invoice_items (quote_id) WHERE live AND quote_id IS NOT NULL;
