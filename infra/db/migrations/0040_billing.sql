-- Forward-only. Billing: what the provider charges each client business, what they used, and what they were invoiced.
-- Money is numeric (never float); amounts on invoices are in the invoice's currency, rounded to its minor unit.

-- Reusable price plans the provider puts clients on. A platform table: the provider's catalogue, no tenant data.
CREATE TABLE billing_plans (
    id                   uuid PRIMARY KEY,
    code                 text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency             char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    base_fee             numeric(14, 4) NOT NULL CHECK (base_fee >= 0),
    seat_price           numeric(14, 4) NOT NULL CHECK (seat_price >= 0),
    included_leads       integer NOT NULL CHECK (included_leads >= 0),
    lead_price           numeric(14, 4) NOT NULL CHECK (lead_price >= 0),
    ai_markup_rate       numeric(9, 6) NOT NULL CHECK (ai_markup_rate >= 0),
    archived_at          timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
REVOKE DELETE ON billing_plans FROM $AppRole$;

-- A client's price, as a history: each change is a new row effective from a date; rows are never changed or deleted.
-- The price on a day is the row with the latest effective_from <= that day (latest recorded_at breaks ties).
CREATE TABLE tenant_pricing (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    effective_from       date NOT NULL,
    plan_id              uuid REFERENCES billing_plans (id),
    currency             char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    base_fee             numeric(14, 4) NOT NULL CHECK (base_fee >= 0),
    seat_price           numeric(14, 4) NOT NULL CHECK (seat_price >= 0),
    included_leads       integer NOT NULL CHECK (included_leads >= 0),
    lead_price           numeric(14, 4) NOT NULL CHECK (lead_price >= 0),
    ai_markup_rate       numeric(9, 6) NOT NULL CHECK (ai_markup_rate >= 0),
    discount_kind        text CHECK (discount_kind IN ('percent', 'amount')),
    discount_value       numeric(14, 4) CHECK (discount_value >= 0),
    discount_ends_on     date,
    billing_day          smallint NOT NULL CHECK (billing_day BETWEEN 1 AND 28),
    trial_ends_on        date,
    tax_rate             numeric(7, 6) CHECK (tax_rate >= 0 AND tax_rate < 1),
    recorded_at          timestamptz NOT NULL,
    recorded_by          text NOT NULL,
    CHECK ((discount_kind IS NULL) = (discount_value IS NULL)),
    CHECK (discount_kind <> 'percent' OR discount_value <= 100)
);
CREATE INDEX tenant_pricing_effective ON tenant_pricing (tenant_id, effective_from DESC, recorded_at DESC);
CALL enable_tenant_isolation('tenant_pricing');
REVOKE UPDATE, DELETE ON tenant_pricing FROM $AppRole$;

-- Metered usage. The idempotency key makes recording an event repeatable: the same key counts once.
-- unique_value is what the 'unique' aggregation counts distinct values of (a user id for seats, say).
CREATE TABLE billing_usage_events (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    idempotency_key  text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    metric           text NOT NULL CHECK (metric ~ '^[a-z][a-z0-9_]{0,39}$'),
    quantity         numeric(20, 10) NOT NULL CHECK (quantity >= 0),
    unique_value     text,
    occurred_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX billing_usage_events_metric ON billing_usage_events (tenant_id, metric, occurred_at);
CALL enable_tenant_isolation('billing_usage_events');
REVOKE UPDATE, DELETE ON billing_usage_events FROM $AppRole$;

-- Gapless, sequential document numbers per provider ('invoice', 'credit_note'): taken in the transaction that
-- finalizes the document, so a rolled-back finalization leaves no hole.
CREATE TABLE billing_number_sequences (
    name        text PRIMARY KEY,
    prefix      text NOT NULL,
    next_value  bigint NOT NULL CHECK (next_value >= 1)
);
INSERT INTO billing_number_sequences (name, prefix, next_value) VALUES ('invoice', 'INV-', 1), ('credit_note', 'CN-', 1);
REVOKE INSERT, DELETE ON billing_number_sequences FROM $AppRole$;

-- One invoice per client and billing period: (tenant_id, period_start) is the key that makes a billing run, run
-- twice or resumed after a crash, bill exactly once. A draft becomes immutable when it is finalized (a number is
-- given); afterwards only its payment state, delivery marks and Stripe references change, and corrections are
-- credit notes.
CREATE TABLE invoices (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES tenants (id),
    number              text UNIQUE,
    period_start        date NOT NULL,
    period_end          date NOT NULL CHECK (period_end > period_start),
    currency            char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status              text NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'open', 'paid', 'payment_failed', 'uncollectible', 'void')),
    subtotal            numeric(14, 2) NOT NULL,
    discount_total      numeric(14, 2) NOT NULL CHECK (discount_total >= 0),
    tax_rate            numeric(7, 6) NOT NULL CHECK (tax_rate >= 0 AND tax_rate < 1),
    tax_total           numeric(14, 2) NOT NULL CHECK (tax_total >= 0),
    total               numeric(14, 2) NOT NULL,
    credited_total      numeric(14, 2) NOT NULL DEFAULT 0 CHECK (credited_total >= 0),
    issued_at           timestamptz,
    due_at              timestamptz,
    finalized_at        timestamptz,
    paid_at             timestamptz,
    payment_reference   text,
    document_blob       text,
    emailed_at          timestamptz,
    stripe_invoice_id   text UNIQUE,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (tenant_id, period_start),
    CHECK ((number IS NULL) = (finalized_at IS NULL)),
    CHECK (status = 'draft' OR finalized_at IS NOT NULL)
);
CREATE INDEX invoices_status_due ON invoices (status, due_at);
CALL enable_tenant_isolation('invoices');
REVOKE DELETE ON invoices FROM $AppRole$;

CREATE TABLE invoice_lines (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    invoice_id    uuid NOT NULL REFERENCES invoices (id),
    position      smallint NOT NULL CHECK (position >= 1),
    line_type     text NOT NULL CHECK (line_type IN ('base_fee', 'seats', 'lead_overage', 'ai_usage', 'discount')),
    description   text NOT NULL,
    quantity      numeric(20, 6) NOT NULL,
    unit_amount   numeric(20, 10) NOT NULL,
    amount        numeric(14, 2) NOT NULL,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    UNIQUE (invoice_id, position)
);
CALL enable_tenant_isolation('invoice_lines');
REVOKE UPDATE ON invoice_lines FROM $AppRole$;

-- A finalized invoice's amounts and lines never change: only its payment state, delivery marks and Stripe id may.
CREATE FUNCTION invoices_refuse_changes_after_finalization() RETURNS trigger
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
CREATE TRIGGER invoices_immutable_after_finalization BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_refuse_changes_after_finalization();

CREATE FUNCTION invoice_lines_refuse_changes_after_finalization() RETURNS trigger
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
CREATE TRIGGER invoice_lines_immutable_after_finalization BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_refuse_changes_after_finalization();

-- Corrections to finalized invoices. Append-only; numbered from the 'credit_note' sequence.
CREATE TABLE credit_notes (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    invoice_id   uuid NOT NULL REFERENCES invoices (id),
    number       text NOT NULL UNIQUE,
    amount       numeric(14, 2) NOT NULL CHECK (amount > 0),
    currency     char(3) NOT NULL,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_at   timestamptz NOT NULL,
    created_by   text NOT NULL
);
CALL enable_tenant_isolation('credit_notes');
REVOKE UPDATE, DELETE ON credit_notes FROM $AppRole$;

-- What happened to an invoice after it was finalized: emailed, sent to Stripe, paid, failed, reminded, escalated.
-- The dunning timer reads it; the provider reads it as the invoice's history.
CREATE TABLE invoice_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    invoice_id  uuid NOT NULL REFERENCES invoices (id),
    kind        text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX invoice_events_invoice ON invoice_events (invoice_id, occurred_at);
CALL enable_tenant_isolation('invoice_events');
REVOKE UPDATE, DELETE ON invoice_events FROM $AppRole$;

-- The Stripe customer of each client business, once created.
CREATE TABLE billing_stripe_customers (
    tenant_id           uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    stripe_customer_id  text NOT NULL UNIQUE,
    created_at          timestamptz NOT NULL
);
CALL enable_tenant_isolation('billing_stripe_customers');

-- Stripe webhook events already handled (Stripe retries and may deliver twice). A platform table: event ids only.
CREATE TABLE stripe_webhook_events (
    event_id      text PRIMARY KEY,
    event_type    text NOT NULL,
    received_at   timestamptz NOT NULL
);
REVOKE UPDATE, DELETE ON stripe_webhook_events FROM $AppRole$;
