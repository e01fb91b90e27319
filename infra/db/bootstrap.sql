-- StreamFlow database bootstrap: roles and database. Idempotent; run as a superuser before the migrations.
--
--   psql "$ADMIN_CONNINFO" -X -v ON_ERROR_STOP=1 \
--        -v owner_password=... -v app_password=... \
--        [-v backup_password=...] [-v backup_role=streamflow_backup] \
--        [-v owner_role=streamflow_owner] [-v app_role=streamflow_app] [-v db_name=streamflow] \
--        -f infra/db/bootstrap.sql
--
-- owner_role owns the database and runs the migrations (infra/db/migrations). app_role is what the
-- application connects as: it owns nothing, cannot create databases or roles, has no BYPASSRLS, and gets
-- its table privileges from the migrations. app_role is deliberately NOT granted to owner_role.
-- backup_role (only with backup_password) takes the encrypted backups: it must see every tenant's rows, so it
-- has BYPASSRLS, and it reads through pg_read_all_data; it owns nothing, writes nothing, creates nothing.
-- Creating a BYPASSRLS role needs a superuser (on Azure Flexible Server PostgreSQL 16+, the server admin).
-- Tables, policies and grants belong to the migrations, never here.

\set ON_ERROR_STOP on
\if :{?owner_role}
\else
  \set owner_role streamflow_owner
\endif
\if :{?app_role}
\else
  \set app_role streamflow_app
\endif
\if :{?db_name}
\else
  \set db_name streamflow
\endif
\if :{?owner_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'psql variable owner_password is required (-v owner_password=...)'; END $$;
\endif
\if :{?app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'psql variable app_password is required (-v app_password=...)'; END $$;
\endif
\if :{?backup_role}
\else
  \set backup_role streamflow_backup
\endif
\if :{?backup_password}
  \set with_backup_role true
\else
  \set with_backup_role false
\endif

-- Roles. CREATE only when missing; the password is (re)set every run so it follows the environment.
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'owner_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'app_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec

SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'owner_role', :'owner_password') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'app_role', :'app_password') \gexec

-- Repair attributes that drifted (only when they differ: changing SUPERUSER or BYPASSRLS needs a superuser).
SELECT format('ALTER ROLE %I WITH NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', rolname)
FROM pg_roles
WHERE rolname IN (:'owner_role', :'app_role')
  AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls) \gexec

\if :with_backup_role
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS', :'backup_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'backup_role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'backup_role', :'backup_password') \gexec
SELECT format('ALTER ROLE %I WITH NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS', rolname)
FROM pg_roles
WHERE rolname = :'backup_role' AND (rolsuper OR rolcreatedb OR rolcreaterole OR NOT rolbypassrls) \gexec
-- Read access to every table and sequence (as if granted SELECT), and nothing else.
SELECT format('GRANT pg_read_all_data TO %I', :'backup_role')
WHERE NOT pg_has_role(:'backup_role', 'pg_read_all_data', 'MEMBER') \gexec
\else
\echo 'bootstrap: no backup_password given; the backup role is not created or changed'
\endif

-- No role acts as another: the owner is not the application or the backup role, and so on in every direction.
SELECT format('REVOKE %I FROM %I', r.rolname, m.rolname)
FROM pg_auth_members am
JOIN pg_roles r ON r.oid = am.roleid
JOIN pg_roles m ON m.oid = am.member
WHERE r.rolname IN (:'app_role', :'owner_role', :'backup_role')
  AND m.rolname IN (:'app_role', :'owner_role', :'backup_role') \gexec

-- Database, owned by the owner role.
SELECT format('CREATE DATABASE %I OWNER %I', :'db_name', :'owner_role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db_name') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', datname, :'owner_role')
FROM pg_database
WHERE datname = :'db_name' AND pg_get_userbyid(datdba) <> :'owner_role' \gexec

SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db_name') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db_name', :'app_role') \gexec
\if :with_backup_role
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db_name', :'backup_role') \gexec
\endif

-- Inside the database: nobody but the owner creates objects in schema public. PostgreSQL 15 already
-- works this way; older servers (DATABASE_URL) grant CREATE to PUBLIC.
\connect :"db_name"
SELECT 'REVOKE CREATE ON SCHEMA public FROM PUBLIC'
WHERE has_schema_privilege('public', 'public', 'CREATE') \gexec
