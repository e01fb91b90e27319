-- Issue #14, observability: the owners' email after N consecutive failed syncs is sent once per breakage. A breakage is
-- the run of failures since the connection last succeeded (or was created); its start identifies it, so a claim row per
-- (connection, streak start) makes the email go out once, and a success starts a new streak. Tenant table under the
-- usual row-level security.
CREATE TABLE connection_failure_alerts (
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id       uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    streak_started_at   timestamptz NOT NULL,
    failures            integer NOT NULL CHECK (failures > 0),
    sent_at             timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, streak_started_at)
);
CALL enable_tenant_isolation('connection_failure_alerts');
-- Written once, read by nobody but the claim: the application neither changes nor deletes a row.
REVOKE UPDATE, DELETE ON connection_failure_alerts FROM $AppRole$;
