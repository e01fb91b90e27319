-- Issue #16: industry templates. What a template put into a tenant (so re-applying it never re-adds what the
-- business removed or changed), and task templates: named follow-ups a business (or its template) keeps at hand.
CREATE TABLE template_applied_items (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    template    text NOT NULL CHECK (length(template) BETWEEN 1 AND 100),
    kind        text NOT NULL CHECK (kind IN ('stages', 'customField', 'taskTemplate', 'setting', 'workflow')),
    key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    target_id   uuid,
    applied_by  text NOT NULL,
    applied_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, template, kind, key)
);
CALL enable_tenant_isolation('template_applied_items');

CREATE TABLE task_templates (
    id                        uuid PRIMARY KEY,
    tenant_id                 uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key                       text NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
    title                     text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    priority                  text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    due_in_business_minutes   integer CHECK (due_in_business_minutes BETWEEN 0 AND 527040),
    created_by                text NOT NULL,
    created_at                timestamptz NOT NULL,
    UNIQUE (tenant_id, key)
);
CALL enable_tenant_isolation('task_templates');
