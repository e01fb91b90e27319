-- Issue #15: envelope encryption per tenant. A tenant's data keys (one per version; rows carry the version that sealed
-- them) and its blind-index key, each stored only wrapped by the key-encryption key (local key ring or Azure Key
-- Vault) named in kek_id. The database never holds a usable key.
CREATE TABLE tenant_data_keys (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version      integer NOT NULL CHECK (version >= 1),
    wrapped_key  bytea NOT NULL,
    kek_id       text NOT NULL,
    created_at   timestamptz NOT NULL,
    retired_at   timestamptz,
    PRIMARY KEY (tenant_id, version)
);
CALL enable_tenant_isolation('tenant_data_keys');

-- The HMAC key of the tenant's blind indexes: separate from the data keys, and not rotated with them (rotating it
-- would mean recomputing every index).
CREATE TABLE tenant_index_keys (
    tenant_id    uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    wrapped_key  bytea NOT NULL,
    kek_id       text NOT NULL,
    created_at   timestamptz NOT NULL
);
CALL enable_tenant_isolation('tenant_index_keys');
