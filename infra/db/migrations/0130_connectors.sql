-- Issue #14, back-office connectors (QuickBooks Online first): OAuth2 authorization-code grants in flight, the map
-- between our records and the vendor's per connection, and what each sync did to each record.

-- One OAuth2 authorization in flight: the state is single use, bound to the tenant, the user who started it and the
-- connection, and expires. Only its SHA-256 is kept; the PKCE verifier is sealed like the connection's credentials.
CREATE TABLE connector_oauth_states (
    state_hash              bytea PRIMARY KEY,
    tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id           uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    user_id                 uuid REFERENCES users (id) ON DELETE CASCADE,
    verifier_ciphertext     bytea NOT NULL,
    redirect_uri            text NOT NULL CHECK (length(redirect_uri) <= 2000),
    expires_at              timestamptz NOT NULL,
    used_at                 timestamptz,
    created_at              timestamptz NOT NULL
);
CREATE INDEX connector_oauth_states_connection ON connector_oauth_states (tenant_id, connection_id);
CALL enable_tenant_isolation('connector_oauth_states');

-- Which vendor record one of ours became, per connection and entity (customer, invoice, ...), with the vendor's
-- concurrency token (QuickBooks' SyncToken), a hash of what we last pushed, and the vendor-side status (paid).
CREATE TABLE connector_records (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id   uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    entity          text NOT NULL CHECK (entity ~ '^[a-z][a-z_]{1,39}$'),
    local_id        uuid NOT NULL,
    external_id     text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    sync_token      text CHECK (length(sync_token) <= 100),
    pushed_hash     text CHECK (length(pushed_hash) <= 100),
    remote_status   text CHECK (length(remote_status) <= 40),
    remote_amount   numeric(14, 2),
    remote_balance  numeric(14, 2),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, entity, local_id),
    UNIQUE (tenant_id, connection_id, entity, external_id)
);
CALL enable_tenant_isolation('connector_records');

-- What a sync did to each record and why: created, updated, skipped, conflict, failed.
CREATE TABLE connector_sync_log (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id   uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    sync_id         uuid NOT NULL REFERENCES connection_syncs (id) ON DELETE CASCADE,
    entity          text NOT NULL,
    local_id        uuid,
    external_id     text CHECK (length(external_id) <= 200),
    action          text NOT NULL CHECK (action IN ('created', 'updated', 'skipped', 'conflict', 'failed')),
    reason          text CHECK (length(reason) <= 1000),
    at              timestamptz NOT NULL
);
CREATE INDEX connector_sync_log_by_sync ON connector_sync_log (tenant_id, sync_id, id);
CALL enable_tenant_isolation('connector_sync_log');
