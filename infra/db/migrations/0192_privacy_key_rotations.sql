-- Issue #15: key rotations, readable by developers with their progress. A platform table (developers watch every
-- business's rotation; it holds no personal data): a data-key rotation names its business and versions, a rotation of
-- the key-encryption key (re-wrapping every business's keys) has no business. Its column is business_id, not
-- tenant_id: tenant_id marks a business's own rows, which row-level security confines to that business.
CREATE TABLE privacy_key_rotations (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('data-key', 'kek')),
    business_id     uuid REFERENCES tenants (id) ON DELETE CASCADE,
    status          text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    from_version    integer,
    to_version      integer,
    kek_id          text,
    rows_total      bigint NOT NULL DEFAULT 0,
    rows_done       bigint NOT NULL DEFAULT 0,
    keys_rewrapped  integer NOT NULL DEFAULT 0,
    requested_by    text NOT NULL,
    error           text,
    created_at      timestamptz NOT NULL,
    started_at      timestamptz,
    completed_at    timestamptz,
    CHECK ((kind = 'data-key') = (business_id IS NOT NULL))
);
CREATE INDEX privacy_key_rotations_recent ON privacy_key_rotations (created_at DESC);
-- One data-key rotation of a business at a time.
CREATE UNIQUE INDEX privacy_key_rotations_one_running ON privacy_key_rotations (business_id) WHERE kind = 'data-key' AND status IN ('pending', 'running');
REVOKE DELETE, TRUNCATE ON privacy_key_rotations FROM $AppRole$;

-- Users' sealed TOTP secrets are found by version too.
CREATE INDEX users_mfa_key_version ON users (tenant_id, mfa_key_version) WHERE mfa_key_version IS NOT NULL;
