-- A bench-only, lead-like table (17 columns of realistic text and numbers) under the same forced row-level security
-- as every tenant table. run.sh creates it in template1 as well as in the database: restores build their target
-- from template1 plus the app's migrations, so the restored database has it too. No foreign key to tenants, because
-- tenants does not exist in template1.
CREATE TABLE bench_leads (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    first_name       text NOT NULL,
    last_name        text NOT NULL,
    email            text NOT NULL,
    phone            text,
    company          text,
    source           text NOT NULL,
    status           text NOT NULL,
    score            integer NOT NULL,
    estimated_value  numeric(12, 2),
    city             text,
    state            text,
    postal_code      text,
    notes            text
);
CREATE INDEX bench_leads_tenant_created ON bench_leads (tenant_id, created_at DESC);
ALTER TABLE bench_leads OWNER TO streamflow_owner;
ALTER TABLE bench_leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_leads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_leads
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
