-- Issue #19: hosts cache the sessions they checked lately (Identity/Clients/SessionCache) and must drop them the moment
-- any host, job or script changes who may call. Every change that can refuse or re-limit a cached session notifies
-- access_changes at commit (pg_notify is transactional; one notification per transaction however many rows): a
-- session revoked or its expiry moved, a user's role, status or email, a tenant's status or limits, and deletions.
-- last_seen_at writes (once a minute per session) do not notify.
CREATE FUNCTION notify_access_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('access_changes', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_access_change AFTER UPDATE OF revoked_at, expires_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)
    EXECUTE FUNCTION notify_access_change();
CREATE TRIGGER sessions_access_removed AFTER DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access_change();

CREATE TRIGGER users_access_change AFTER UPDATE OF role, status, email ON users
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.status IS DISTINCT FROM NEW.status OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION notify_access_change();
CREATE TRIGGER users_access_removed AFTER DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access_change();

CREATE TRIGGER tenants_access_change AFTER UPDATE OF status, suspended_reason, requests_per_minute, user_requests_per_minute ON tenants
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.suspended_reason IS DISTINCT FROM NEW.suspended_reason
                       OR OLD.requests_per_minute IS DISTINCT FROM NEW.requests_per_minute
                       OR OLD.user_requests_per_minute IS DISTINCT FROM NEW.user_requests_per_minute)
    EXECUTE FUNCTION notify_access_change();
CREATE TRIGGER tenants_access_removed AFTER DELETE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION notify_access_change();
