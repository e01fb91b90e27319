-- Forward-only. The hub side of federation: the member instances this hub pulls client aggregates from, and the last
-- aggregates each one answered. Platform-wide tables, reached only by provider routes and the pull timer.
CREATE TABLE federation_members (
    id                    uuid        PRIMARY KEY,
    name                  text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    base_url              text        NOT NULL CHECK (length(base_url) BETWEEN 8 AND 500),
    key_id                text        NOT NULL CHECK (key_id ~ '^[A-Za-z0-9._-]{1,100}$'),
    algorithm             text        NOT NULL CHECK (algorithm IN ('hmac-sha256', 'ed25519')),
    -- The HMAC secret or Ed25519 seed this hub signs with, encrypted (Federation:SecretEncryptionKey).
    signing_key           bytea       NOT NULL,
    created_at            timestamptz NOT NULL,
    last_attempt_at       timestamptz,
    last_success_at       timestamptz,
    last_error            text,
    consecutive_failures  integer     NOT NULL DEFAULT 0
);
REVOKE DELETE ON federation_members FROM $AppRole$;

-- The member's last answer, one row per client business it holds, replaced whole on each successful pull. The
-- remote tenant id is the member's, not a tenant of this database (so no row-level security: provider data only).
CREATE TABLE federation_member_clients (
    member_id         uuid        NOT NULL REFERENCES federation_members (id),
    remote_tenant_id  uuid        NOT NULL,
    summary           jsonb       NOT NULL,
    as_of             timestamptz NOT NULL,
    PRIMARY KEY (member_id, remote_tenant_id)
);
