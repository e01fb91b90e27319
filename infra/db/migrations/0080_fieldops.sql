-- Field operations (issue #13): technicians, jobs and their visits, hand and planned assignments, time punches and
-- timesheets. Every table is a tenant table under the usual row-level security.

CREATE TABLE fieldops_settings (
    tenant_id               uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    -- Hours beyond which a day's or a week's work is overtime; null: no such rule.
    daily_overtime_hours    numeric(5, 2) CHECK (daily_overtime_hours > 0 AND daily_overtime_hours <= 24),
    weekly_overtime_hours   numeric(6, 2) CHECK (weekly_overtime_hours > 0 AND weekly_overtime_hours <= 168),
    geofence_radius_metres  integer NOT NULL CHECK (geofence_radius_metres BETWEEN 10 AND 10000),
    average_speed_kmh       numeric(6, 2) NOT NULL CHECK (average_speed_kmh > 0 AND average_speed_kmh <= 200),
    updated_at              timestamptz NOT NULL
);
CALL enable_tenant_isolation('fieldops_settings');

CREATE TABLE technicians (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- The user who signs in as this technician (an employee sees only their own visits and time).
    user_id            uuid REFERENCES users (id) ON DELETE SET NULL,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    skills             text[] NOT NULL DEFAULT '{}',
    -- [{ "name": ..., "expiresOn": "YYYY-MM-DD" }]
    certifications     jsonb NOT NULL DEFAULT '[]'::jsonb,
    home_latitude      double precision NOT NULL CHECK (home_latitude BETWEEN -90 AND 90),
    home_longitude     double precision NOT NULL CHECK (home_longitude BETWEEN -180 AND 180),
    -- Local minutes after midnight in the tenant's time zone.
    work_start_minute  integer NOT NULL CHECK (work_start_minute BETWEEN 0 AND 1439),
    work_end_minute    integer NOT NULL CHECK (work_end_minute BETWEEN 1 AND 1440),
    hourly_cost        numeric(12, 2) NOT NULL CHECK (hourly_cost >= 0),
    currency           char(3) NOT NULL,
    active             boolean NOT NULL DEFAULT true,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (work_end_minute > work_start_minute)
);
CALL enable_tenant_isolation('technicians');
CREATE UNIQUE INDEX technicians_user ON technicians (tenant_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX technicians_list ON technicians (tenant_id, id DESC);

CREATE TABLE jobs (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id                 uuid REFERENCES leads (id) ON DELETE SET NULL,
    customer_name           text NOT NULL CHECK (length(customer_name) BETWEEN 1 AND 200),
    title                   text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    address                 text NOT NULL CHECK (length(address) BETWEEN 1 AND 500),
    latitude                double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude               double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    -- Null: the tenant's default radius.
    geofence_radius_metres  integer CHECK (geofence_radius_metres BETWEEN 10 AND 10000),
    -- Null for a one-off job; else { "frequency": "weekly"|"monthly"|"everyNDays", "interval": n, "until": "YYYY-MM-DD" }.
    recurrence              jsonb,
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    deleted_at              timestamptz
);
CALL enable_tenant_isolation('jobs');
CREATE INDEX jobs_list ON jobs (tenant_id, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE visits (
    id                       uuid PRIMARY KEY,
    tenant_id                uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    job_id                   uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- When the technician should arrive; the visit then lasts duration_minutes on site.
    window_start             timestamptz NOT NULL,
    window_end               timestamptz NOT NULL,
    duration_minutes         integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    required_skills          text[] NOT NULL DEFAULT '{}',
    required_certifications  text[] NOT NULL DEFAULT '{}',
    -- When the assigned technicians are due to start (the window's start unless assigned otherwise).
    scheduled_start          timestamptz,
    status                   text NOT NULL CHECK (status IN ('scheduled', 'en_route', 'on_site', 'completed', 'cancelled')),
    notes                    text CHECK (length(notes) <= 10000),
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    status_changed_at        timestamptz NOT NULL,
    CHECK (window_end >= window_start)
);
CALL enable_tenant_isolation('visits');
CREATE INDEX visits_by_window ON visits (tenant_id, window_start, id);
CREATE INDEX visits_by_job ON visits (job_id);

CREATE TABLE visit_assignments (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    visit_id         uuid NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    technician_id    uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    assigned_by      text NOT NULL,
    assigned_at      timestamptz NOT NULL,
    -- Set when a dispatcher assigned a technician who lacks a required skill or valid certification.
    override_reason  text CHECK (length(override_reason) BETWEEN 1 AND 1000),
    PRIMARY KEY (visit_id, technician_id)
);
CALL enable_tenant_isolation('visit_assignments');
CREATE INDEX visit_assignments_by_technician ON visit_assignments (technician_id);

CREATE TABLE time_punches (
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Generated by the device once per punch: an upload repeated after a lost answer is recognised by it.
    punch_id           uuid NOT NULL,
    technician_id      uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    kind               text NOT NULL CHECK (kind IN ('clockIn', 'breakStart', 'breakEnd', 'clockOut')),
    device_time        timestamptz NOT NULL,
    received_at        timestamptz NOT NULL,
    visit_id           uuid REFERENCES visits (id) ON DELETE SET NULL,
    latitude           double precision,
    longitude          double precision,
    accuracy_metres    double precision,
    distance_metres    double precision,
    outside_geofence   boolean NOT NULL,
    PRIMARY KEY (tenant_id, punch_id)
);
CALL enable_tenant_isolation('time_punches');
CREATE INDEX time_punches_by_technician ON time_punches (technician_id, device_time);
-- Punches are facts from the field: corrections go onto the timesheet, never into the punches.
REVOKE UPDATE, DELETE ON time_punches FROM $AppRole$;

CREATE TABLE timesheets (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    technician_id   uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    status          text NOT NULL CHECK (status IN ('draft', 'approved')),
    -- [{ "date", "workedHours", "regularHours", "overtimeHours" }] as the overtime rules split them.
    days            jsonb NOT NULL,
    regular_hours   numeric(8, 2) NOT NULL,
    overtime_hours  numeric(8, 2) NOT NULL,
    note            text CHECK (length(note) <= 2000),
    approved_by     text,
    approved_at     timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CHECK (period_end >= period_start),
    UNIQUE (tenant_id, technician_id, period_start)
);
CALL enable_tenant_isolation('timesheets');
