-- Issue #15: the personal-data scan also reads the free text of tasks (title, notes), quotes (the message to the
-- customer, the reason a customer gave for declining) and visits (notes). Each is rescanned once it changes, like a
-- lead. A task or visit need not belong to a lead (a task on its own, a job without one), so a flag's lead is optional.
ALTER TABLE personal_data_flags DROP CONSTRAINT personal_data_flags_record_type_check;
ALTER TABLE personal_data_flags ADD CONSTRAINT personal_data_flags_record_type_check
    CHECK (record_type IN ('lead', 'lead_activity', 'task', 'quote', 'visit'));
ALTER TABLE personal_data_flags ALTER COLUMN lead_id DROP NOT NULL;

ALTER TABLE tasks ADD COLUMN personal_data_scanned_at timestamptz;
ALTER TABLE quotes ADD COLUMN personal_data_scanned_at timestamptz;
ALTER TABLE visits ADD COLUMN personal_data_scanned_at timestamptz;
CREATE INDEX tasks_personal_data_due ON tasks (tenant_id, id) WHERE personal_data_scanned_at IS DISTINCT FROM updated_at;
CREATE INDEX quotes_personal_data_due ON quotes (tenant_id, id) WHERE personal_data_scanned_at IS DISTINCT FROM updated_at;
CREATE INDEX visits_personal_data_due ON visits (tenant_id, id) WHERE personal_data_scanned_at IS DISTINCT FROM updated_at;
