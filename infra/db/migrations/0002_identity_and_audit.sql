-- Client identity (users, sessions, password resets, MFA), login throttling, rate limits and the audit log.

ALTER TABLE tenants
    ADD COLUMN suspended_reason     text,
    ADD COLUMN suspended_at         timestamptz,
    ADD COLUMN requests_per_minute  integer NOT NULL DEFAULT 600 CHECK (requests_per_minute BETWEEN 1 AND 100000),
    ADD COLUMN user_requests_per_minute integer NOT NULL DEFAULT 300 CHECK (user_requests_per_minute BETWEEN 1 AND 100000);

-- Client users. The role type names client roles only: provider and developer are other systems entirely.
CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email                text NOT NULL CHECK (email = lower(email) AND length(email) <= 320),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role                 text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'staff', 'employee')),
    status               text NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash        text,
    password_changed_at  timestamptz,
    mfa_secret           text,
    mfa_enabled          boolean NOT NULL DEFAULT false,
    recovery_code_hashes text[] NOT NULL DEFAULT '{}',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email)
);
CALL enable_tenant_isolation('users');

-- Database sessions: only the SHA-256 of the opaque token is stored.
CREATE TABLE sessions (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    ip            text,
    user_agent    text
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id) WHERE revoked_at IS NULL;
CALL enable_tenant_isolation('sessions');

-- Single-use tokens for password resets and invitations.
CREATE TABLE password_reset_tokens (
    token_hash  bytea PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('reset', 'invitation')),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CALL enable_tenant_isolation('password_reset_tokens');

-- Failed logins, keyed by a hash of the account (tenant + email, known or not) or of the client IP.
CREATE TABLE login_failures (
    key_hash   bytea NOT NULL,
    failed_at  timestamptz NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key_hash, failed_at DESC);

-- The audit log: append-only and hash-chained. Platform events have no tenant.
CREATE TABLE audit_log (
    sequence     bigint PRIMARY KEY,
    system       text NOT NULL CHECK (system IN ('client', 'provider', 'developer', 'platform')),
    tenant_id    uuid REFERENCES tenants (id),
    actor        text NOT NULL,
    action       text NOT NULL,
    target       text,
    outcome      text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'refused')),
    ip           text,
    user_agent   text,
    occurred_at  timestamptz NOT NULL,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb,
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, sequence DESC);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
-- A tenant reads and writes its own trail; entries without a tenant are written with no tenant set. Verifying the
-- whole chain is the one cross-tenant read, switched on per transaction by the developer verification path.
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
           OR current_setting('app.audit_scope', true) = 'chain')
    WITH CHECK (tenant_id IS NOT DISTINCT FROM NULLIF(current_setting('app.tenant_id', true), '')::uuid);

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM $AppRole$;

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- The head of the chain: appends lock this row, which serializes them across tenants and instances.
CREATE TABLE audit_chain_head (
    id             smallint PRIMARY KEY CHECK (id = 1),
    last_sequence  bigint NOT NULL,
    last_hash      bytea NOT NULL
);
INSERT INTO audit_chain_head VALUES (1, 0, decode(repeat('00', 32), 'hex'));
REVOKE INSERT, DELETE, TRUNCATE ON audit_chain_head FROM $AppRole$;
