-- The row-level security pattern every tenant-owned table follows: ENABLE + FORCE, and one policy on the
-- transaction-local setting app.tenant_id. With no tenant set, the table looks empty and refuses inserts.
CREATE OR REPLACE PROCEDURE enable_tenant_isolation(target regclass)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid) '
        'WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', target);
END;
$$;
REVOKE ALL ON PROCEDURE enable_tenant_isolation(regclass) FROM PUBLIC, $AppRole$;
