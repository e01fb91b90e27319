-- Issue #14, ADP Workforce Now: the workers a connection brought in as technicians, with what ADP says of them that a
-- technician row does not hold (work email, job title, status, hire and termination dates) and what pay data needs
-- (the payroll group and file number of the primary work assignment). The id map (connector_records, entity worker)
-- links each to its technician; this table keeps the worker's details. Tenant table under the usual row-level security.
CREATE TABLE adp_workers (
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id        uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    associate_oid        text NOT NULL CHECK (length(associate_oid) BETWEEN 1 AND 100),
    technician_id        uuid NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    work_email           text CHECK (length(work_email) <= 320),
    job_title            text CHECK (length(job_title) <= 200),
    status               text NOT NULL CHECK (length(status) BETWEEN 1 AND 40),
    hired_on             date,
    terminated_on        date,
    payroll_group_code   text CHECK (length(payroll_group_code) <= 20),
    payroll_file_number  text CHECK (length(payroll_file_number) <= 20),
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, associate_oid)
);
CALL enable_tenant_isolation('adp_workers');
CREATE INDEX adp_workers_technician ON adp_workers (tenant_id, technician_id);
-- Workers are never deleted one by one (a terminated worker stays, inactive); they go with their connection.
REVOKE DELETE ON adp_workers FROM $AppRole$;
