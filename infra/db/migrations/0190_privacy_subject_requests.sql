-- Issue #15: data-subject requests (GDPR articles 15-17, CCPA) and the suppression list of erased people. A request
-- names its person only by blind index (HMAC under the tenant's index key): the plain email or phone is never stored,
-- here or in the suppression list, which a restore of an older backup applies so an erased person does not come back.
CREATE TABLE privacy_requests (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind                text NOT NULL CHECK (kind IN ('export', 'erasure')),
    status              text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    subject_kind        text NOT NULL CHECK (subject_kind IN ('email', 'phone')),
    subject_index       bytea NOT NULL CHECK (length(subject_index) = 32),
    requested_by        text NOT NULL,
    -- Records found (and for an erasure changed) by kind: { "leads": n, "activities": n, ... }.
    found               jsonb NOT NULL DEFAULT '{}'::jsonb,
    export_json_blob    text,
    export_csv_blob     text,
    export_expires_at   timestamptz,
    error               text,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz,
    completed_at        timestamptz
);
CALL enable_tenant_isolation('privacy_requests');
CREATE INDEX privacy_requests_list ON privacy_requests (tenant_id, created_at DESC);
REVOKE DELETE, TRUNCATE ON privacy_requests FROM $AppRole$;

CREATE TABLE privacy_suppressions (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('email', 'phone')),
    blind_index    bytea NOT NULL CHECK (length(blind_index) = 32),
    request_id     uuid NOT NULL,
    suppressed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kind, blind_index)
);
CALL enable_tenant_isolation('privacy_suppressions');
-- Append-only for the application: an entry is never taken back.
REVOKE UPDATE, DELETE, TRUNCATE ON privacy_suppressions FROM $AppRole$;

-- An erased lead keeps its row (stage history, jobs and invoices refer to it) with every personal field cleared.
ALTER TABLE leads ADD COLUMN erased_at timestamptz;
