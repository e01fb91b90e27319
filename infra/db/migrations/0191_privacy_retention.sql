-- Issue #15: retention policies per business. Each period is optional (NULL keeps the records); the nightly timer
-- applies them and records each run, which the compliance evidence report lists.
CREATE TABLE privacy_retention_policies (
    tenant_id             uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    lost_leads_months     integer CHECK (lost_leads_months BETWEEN 1 AND 600),
    audit_years           integer CHECK (audit_years BETWEEN 1 AND 100),
    sessions_days         integer CHECK (sessions_days BETWEEN 1 AND 3650),
    webhook_logs_days     integer CHECK (webhook_logs_days BETWEEN 1 AND 3650),
    updated_by            text NOT NULL,
    updated_at            timestamptz NOT NULL
);
CALL enable_tenant_isolation('privacy_retention_policies');
REVOKE DELETE, TRUNCATE ON privacy_retention_policies FROM $AppRole$;

CREATE TABLE privacy_retention_runs (
    id        uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ran_at    timestamptz NOT NULL,
    -- { "lostLeads": n, "sessions": n, "webhookLogs": n, "subjectRequests": n, "auditEntries": n (due, kept: see docs/privacy.md) }
    counts    jsonb NOT NULL
);
CALL enable_tenant_isolation('privacy_retention_runs');
CREATE INDEX privacy_retention_runs_recent ON privacy_retention_runs (tenant_id, ran_at DESC);
REVOKE UPDATE, DELETE, TRUNCATE ON privacy_retention_runs FROM $AppRole$;

-- Finding what is due is an index scan.
CREATE INDEX leads_lost_outcome_at ON leads (tenant_id, outcome_at) WHERE outcome = 'lost' AND erased_at IS NULL;
CREATE INDEX sessions_ended ON sessions (tenant_id, (coalesce(revoked_at, expires_at)));
CREATE INDEX webhook_messages_created ON webhook_messages (tenant_id, created_at);

-- Webhook delivery logs are not the application's to delete (0030): the retention purge runs as the owner through
-- privacy_purge_webhook_logs (functions/), which deletes only the calling transaction's tenant's rows (the owner is
-- under the tenant policy too: FORCE row level security).
