-- Issue #16: follow-up tasks with an assignee, a due time and a link to a lead or a job.
CREATE TABLE tasks (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    notes             text CHECK (length(notes) <= 4000),
    priority          text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_user_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    due_at            timestamptz,
    lead_id           uuid REFERENCES leads (id) ON DELETE SET NULL,
    job_id            uuid REFERENCES jobs (id) ON DELETE SET NULL,
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    completed_at      timestamptz,
    completed_by      text,
    created_by        text NOT NULL,
    -- Set in the transaction that queues the reminder: a task is reminded once per due time.
    reminder_sent_at  timestamptz,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CALL enable_tenant_isolation('tasks');
CREATE INDEX tasks_open_by_due ON tasks (tenant_id, due_at, id) WHERE status = 'open';
CREATE INDEX tasks_by_lead ON tasks (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX tasks_by_job ON tasks (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX tasks_by_assignee ON tasks (assignee_user_id) WHERE assignee_user_id IS NOT NULL;
