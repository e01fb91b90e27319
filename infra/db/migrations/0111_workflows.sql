-- Issue #16: workflows, one row per workflow holding its current version, and every saved version kept.
CREATE TABLE workflows (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    enabled           boolean NOT NULL,
    version           integer NOT NULL CHECK (version >= 1),
    trigger_event     text,
    trigger_schedule  text,
    definition        jsonb NOT NULL,
    updated_by        text NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK ((trigger_event IS NULL) <> (trigger_schedule IS NULL))
);
CALL enable_tenant_isolation('workflows');
CREATE INDEX workflows_enabled_by_event ON workflows (tenant_id, trigger_event) WHERE enabled;

CREATE TABLE workflow_versions (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workflow_id  uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    version      integer NOT NULL,
    definition   jsonb NOT NULL,
    saved_by     text NOT NULL,
    saved_at     timestamptz NOT NULL,
    PRIMARY KEY (workflow_id, version)
);
CALL enable_tenant_isolation('workflow_versions');
