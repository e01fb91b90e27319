-- Hosts cache the sessions they checked lately (Identity/Clients/SessionCache); the triggers of
-- 0282_access_change_notifications.sql call this on every change that can refuse or re-limit a cached session.
-- pg_notify is transactional and folds duplicates: one notification per transaction however many rows changed.
CREATE OR REPLACE FUNCTION notify_access_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('access_changes', '');
    RETURN NULL;
END;
$$;
-- Privileges: the schema defaults (0001), as created.
