-- Scheduled executive reports: who wants which cadence, and what was sent to whom.

-- A user's own choice of report cadences. No row means the defaults (daily and weekly on, monthly off) for users
-- whose role may read reports; all three false is an opt-out.
CREATE TABLE report_subscriptions (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    daily       boolean NOT NULL,
    weekly      boolean NOT NULL,
    monthly     boolean NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CALL enable_tenant_isolation('report_subscriptions');

-- Every report sent (or being sent): the record of what went to whom and when. A scheduled report for one
-- user and period is claimed once through the partial unique index, so a timer that fires twice sends once.
CREATE TABLE report_deliveries (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    recipient     text NOT NULL,
    period_kind   text NOT NULL CHECK (period_kind IN ('day', 'week', 'month')),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    requested_by  text NOT NULL,
    status        text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 1,
    archive_path  text,
    error         text,
    claimed_at    timestamptz NOT NULL,
    sent_at       timestamptz
);
CALL enable_tenant_isolation('report_deliveries');
CREATE UNIQUE INDEX report_deliveries_scheduled_once ON report_deliveries (tenant_id, user_id, period_kind, period_start) WHERE trigger = 'schedule';
CREATE INDEX report_deliveries_recent ON report_deliveries (tenant_id, claimed_at DESC);
-- The delivery record is history: the application changes its status but never deletes it.
REVOKE DELETE ON report_deliveries FROM $AppRole$;

-- The report's range scans: leads created in a period, outcomes decided in a period, and a lead's human touches.
CREATE INDEX leads_created_at ON leads (tenant_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX leads_outcome_at ON leads (tenant_id, outcome_at) WHERE outcome IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX lead_activities_human_touch ON lead_activities (tenant_id, lead_id, occurred_at)
    WHERE actor LIKE 'user:%' AND kind NOT IN ('created', 'merged', 'scored');
