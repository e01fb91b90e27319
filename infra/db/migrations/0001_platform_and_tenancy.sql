-- Forward-only. Applied by DbUp as the owner role; $AppRole$ is the application role (owns nothing, no BYPASSRLS).

-- The application role reads and writes rows; it never owns or alters objects.
GRANT USAGE ON SCHEMA public TO $AppRole$;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO $AppRole$;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO $AppRole$;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO $AppRole$;

-- Client businesses. A platform table: login resolves a slug before any tenant is set.
CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    industry    text NOT NULL,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The row-level security pattern every tenant-owned table follows: ENABLE + FORCE, and one policy on the
-- transaction-local setting app.tenant_id. With no tenant set, the table looks empty and refuses inserts.
CREATE PROCEDURE enable_tenant_isolation(target regclass)
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

-- A tenant's own settings: the first tenant-owned table, and the template for the rest.
CREATE TABLE tenant_settings (
    tenant_id   uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    time_zone   text NOT NULL DEFAULT 'UTC',
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CALL enable_tenant_isolation('tenant_settings');

-- What the heartbeat timer saw: developers read the recent history of system health.
CREATE TABLE platform_heartbeats (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checked_at  timestamptz NOT NULL,
    status      text NOT NULL,
    checks      jsonb NOT NULL
);
CREATE INDEX platform_heartbeats_checked_at ON platform_heartbeats (checked_at DESC);

-- TOTP steps already accepted, per subject: a one-time code is refused the second time, on every instance.
CREATE TABLE totp_used_steps (
    subject  text NOT NULL,
    step     bigint NOT NULL,
    used_at  timestamptz NOT NULL,
    PRIMARY KEY (subject, step)
);
