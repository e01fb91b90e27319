-- Issue #16: custom fields, typed definitions of a record's attributes per tenant (leads for now).
CREATE TABLE custom_fields (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    entity      text NOT NULL CHECK (entity IN ('lead')),
    key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    type        text NOT NULL CHECK (type IN ('text', 'number', 'money', 'date', 'choice', 'multiChoice', 'boolean')),
    required    boolean NOT NULL,
    options     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(options) = 'array'),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, entity, key)
);
CALL enable_tenant_isolation('custom_fields');
