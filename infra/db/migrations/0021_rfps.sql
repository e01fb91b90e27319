-- RFP analysis: an uploaded solicitation (the file itself lives in the documents container) and its analysis.

CREATE TABLE rfps (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    file_name     text CHECK (length(file_name) <= 255),
    content_type  text NOT NULL CHECK (content_type IN ('application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/plain')),
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    sha256        bytea NOT NULL,
    blob_name     text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    -- Where the analysis is: { "step": ..., "segments": n }; the steps are the orchestration's activities.
    progress      jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- The extracted facts with their provenance, and the AI (or local) assessment once there.
    analysis      jsonb,
    error         text,
    uploaded_by   text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    completed_at  timestamptz
);
CALL enable_tenant_isolation('rfps');
CREATE INDEX rfps_recent ON rfps (tenant_id, id DESC);
-- No route deletes an RFP; the rows go with their tenant.
REVOKE DELETE ON rfps FROM $AppRole$;
