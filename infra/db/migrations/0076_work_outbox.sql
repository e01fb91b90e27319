-- Durable work a request committed but does not wait for (issue #19): written in the request's own tenant
-- transaction, started by the outbox dispatcher, deleted once started. A crash after the commit loses nothing:
-- the row waits for the next dispatcher, and a claim that runs out (dispatcher died mid-start) is claimed again.
CREATE TABLE work_outbox (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The durable task hub that runs the work: hosts of one deployment share it; test hosts each have their own.
    task_hub      text        NOT NULL DEFAULT '',
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind          text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    subject_id    uuid        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz
);
CREATE INDEX work_outbox_claimable ON work_outbox (task_hub, id) INCLUDE (claimed_until);
CALL enable_tenant_isolation('work_outbox');
-- The app inserts in tenant transactions; claiming and removing go through the SECURITY DEFINER functions
-- (work_outbox_claim, work_outbox_complete), which run as the owner: the owner alone sees across tenants.
REVOKE UPDATE, DELETE ON work_outbox FROM $AppRole$;
CREATE POLICY work_outbox_dispatch ON work_outbox FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);
