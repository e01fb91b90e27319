-- Issue #15: personal data found in free text (lead notes, lead attributes — where imported columns land — and the
-- timeline's bodies), kinds and counts only, never the values. A background scan fills it (docs/privacy.md), so the
-- lead write path does no extra work; a record is rescanned once it changes.
CREATE TABLE personal_data_flags (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    record_type text NOT NULL CHECK (record_type IN ('lead', 'lead_activity')),
    record_id   uuid NOT NULL,
    lead_id     uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    -- [{ "field": "notes", "kind": "email", "count": 2 }, ...]
    found       jsonb NOT NULL,
    scanned_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, record_type, record_id)
);
CALL enable_tenant_isolation('personal_data_flags');
CREATE INDEX personal_data_flags_lead ON personal_data_flags (tenant_id, lead_id);

-- A lead is scanned as of its updated_at; any later change makes it due again. Activities do not change once written.
ALTER TABLE leads ADD COLUMN personal_data_scanned_at timestamptz;
ALTER TABLE lead_activities ADD COLUMN personal_data_scanned_at timestamptz;
CREATE INDEX leads_personal_data_due ON leads (tenant_id, id) WHERE personal_data_scanned_at IS DISTINCT FROM updated_at;
CREATE INDEX lead_activities_personal_data_due ON lead_activities (tenant_id, id) WHERE personal_data_scanned_at IS NULL;
