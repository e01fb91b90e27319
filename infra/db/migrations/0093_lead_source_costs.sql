-- Attribution (issue #20, item 6): what each lead source costs a client business. A monthly cost per source set by the
-- tenant, and a per-lead cost on the lead's link when the source itself prices its leads.
CREATE TABLE lead_source_costs (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source          text NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
    monthly_amount  numeric(14, 2) NOT NULL CHECK (monthly_amount >= 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, source)
);
CALL enable_tenant_isolation('lead_source_costs');

ALTER TABLE lead_source_links
    ADD COLUMN cost_amount numeric(14, 2) CHECK (cost_amount >= 0),
    ADD COLUMN cost_currency char(3) CHECK (cost_currency ~ '^[A-Z]{3}$'),
    ADD CONSTRAINT lead_source_links_cost_whole CHECK ((cost_amount IS NULL) = (cost_currency IS NULL));
