-- audit_log is append-only: the triggers of 0002_identity_and_audit.sql refuse UPDATE, DELETE and TRUNCATE.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- Privileges: the schema defaults (0001), as created.
