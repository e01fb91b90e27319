-- Re-planning a field day (issue #13): technicians' time off, which dispatch and hand assignment respect, and a visit
-- reported late, which holds its technician up until it is expected to finish.

CREATE TABLE technician_time_off (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    technician_id  uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    reason         text CHECK (length(reason) <= 500),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL,
    CHECK (ends_at > starts_at)
);
CALL enable_tenant_isolation('technician_time_off');
CREATE INDEX technician_time_off_by_technician ON technician_time_off (technician_id, starts_at);
CREATE INDEX technician_time_off_by_time ON technician_time_off (tenant_id, starts_at, ends_at);

-- How late the technician said they would be (minutes past the visit's planned start) and when they said so.
ALTER TABLE visits
    ADD COLUMN late_minutes integer CHECK (late_minutes BETWEEN 1 AND 720),
    ADD COLUMN late_reported_at timestamptz;
