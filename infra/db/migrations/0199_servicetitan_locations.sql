-- Issue #14, ServiceTitan import speed: locations are read before customers and kept here, so that a customer's lead is
-- created (or refreshed) with its locations in the same batched write instead of one more update per location.
-- applied_at is set once a location is on its customer's lead; those left unapplied (their customer was not in this
-- sync's customer pages, or not imported at all) are applied one customer at a time after the customers.
-- Tenant table under the usual row-level security.
CREATE TABLE servicetitan_locations (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id  uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    location_id    bigint NOT NULL,
    customer_id    bigint NOT NULL,
    label          text NOT NULL CHECK (length(label) <= 1000),
    seen_at        timestamptz NOT NULL,
    applied_at     timestamptz,
    PRIMARY KEY (tenant_id, connection_id, location_id)
);
CALL enable_tenant_isolation('servicetitan_locations');
CREATE INDEX servicetitan_locations_customer ON servicetitan_locations (tenant_id, connection_id, customer_id);
CREATE INDEX servicetitan_locations_unapplied ON servicetitan_locations (tenant_id, connection_id, location_id) WHERE applied_at IS NULL;
