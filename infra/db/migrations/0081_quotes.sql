-- Quotes (estimates) of field operations (issue #13): a business's priced offer to a lead, versioned, sent by email
-- with a single-purpose approval link, approved or declined by the customer. A tenant table under the usual row-level
-- security; the anonymous approval route finds its quote through quote_find_by_token only.

CREATE TABLE quotes (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id              uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    -- Q-<number>; every version of one quote shares it.
    number               integer NOT NULL CHECK (number > 0),
    version              integer NOT NULL CHECK (version > 0),
    status               text NOT NULL CHECK (status IN ('draft', 'sent', 'approved', 'declined', 'superseded')),
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    customer_name        text NOT NULL CHECK (length(customer_name) BETWEEN 1 AND 200),
    customer_email       text CHECK (length(customer_email) <= 320),
    service_address      text NOT NULL CHECK (length(service_address) BETWEEN 1 AND 500),
    latitude             double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude            double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    currency             char(3) NOT NULL,
    -- [{ "description", "quantity", "unitPrice" (decimal string), "optional", "selected", "taxable" }]
    lines                jsonb NOT NULL,
    -- Percent, e.g. 8.25.
    tax_rate             numeric(6, 3) NOT NULL CHECK (tax_rate >= 0 AND tax_rate <= 100),
    -- Amounts in the currency's minor unit, as computed when the quote was last changed or decided.
    subtotal_minor       bigint NOT NULL CHECK (subtotal_minor >= 0),
    tax_minor            bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor          bigint NOT NULL CHECK (total_minor >= 0),
    deposit_minor        bigint NOT NULL CHECK (deposit_minor >= 0),
    message              text CHECK (length(message) <= 4000),
    valid_until          date,
    approval_token_hash  bytea UNIQUE,
    token_expires_at     timestamptz,
    sent_at              timestamptz,
    decided_at           timestamptz,
    -- The name the customer typed when approving, or the reason given when declining.
    decided_by_name      text CHECK (length(decided_by_name) <= 200),
    decline_reason       text CHECK (length(decline_reason) <= 2000),
    job_id               uuid REFERENCES jobs (id) ON DELETE SET NULL,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    UNIQUE (tenant_id, number, version)
);
CALL enable_tenant_isolation('quotes');
CREATE INDEX quotes_list ON quotes (tenant_id, id DESC);
CREATE INDEX quotes_of_lead ON quotes (tenant_id, lead_id, number, version);

-- The one cross-tenant path: quote_find_by_token (SECURITY DEFINER, run as the owner role) finds the quote an emailed
-- link names and hands out only its tenant and id; the application role stays bound by the tenant policy.
CREATE POLICY quote_link_lookup ON quotes FOR SELECT TO CURRENT_USER USING (true);
