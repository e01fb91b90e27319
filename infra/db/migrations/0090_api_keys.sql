-- API keys of integrators: per tenant, named, scoped to permissions, acting for the user who created them.
-- Only the SHA-256 of the key is stored; the prefix is what people see to tell keys apart. A rotated key stays
-- valid until its expires_at (set to the overlap's end) and names its successor in replaced_by.
CREATE TABLE api_keys (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix               text NOT NULL CHECK (prefix ~ '^[a-z2-7]{10}$'),
    key_hash             bytea NOT NULL CHECK (length(key_hash) = 32),
    scopes               text[] NOT NULL CHECK (cardinality(scopes) >= 1),
    created_by           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requests_per_minute  integer NOT NULL CHECK (requests_per_minute BETWEEN 1 AND 100000),
    created_at           timestamptz NOT NULL,
    expires_at           timestamptz NOT NULL,
    last_used_at         timestamptz,
    revoked_at           timestamptz,
    replaced_by          uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    UNIQUE (tenant_id, prefix)
);
CREATE INDEX api_keys_tenant_newest ON api_keys (tenant_id, id DESC);
CALL enable_tenant_isolation('api_keys');

-- Keys are revoked, never deleted by the application, so the audit trail's actors keep a name.
REVOKE DELETE ON api_keys FROM $AppRole$;
