-- Platform work a developer's request asks for (a backup taken by hand, a restore, the self-test), issue #19: the
-- request commits this row and answers 202; the outbox dispatcher starts the orchestration (instance_id) from it, so
-- no request waits on the durable backend. Platform-wide, no tenant rows (work_outbox is a tenant table). The row
-- stays after its start (started_at) so the status route can answer "pending" before the orchestration exists.
CREATE TABLE platform_operations (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id   text        NOT NULL UNIQUE CHECK (length(instance_id) BETWEEN 1 AND 100),
    kind          text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    input         jsonb       NOT NULL,
    -- The durable task hub that runs the work (as work_outbox.task_hub).
    task_hub      text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    started_at    timestamptz
);
CREATE INDEX platform_operations_unstarted ON platform_operations (task_hub, id) WHERE started_at IS NULL;
REVOKE DELETE ON platform_operations FROM $AppRole$;
