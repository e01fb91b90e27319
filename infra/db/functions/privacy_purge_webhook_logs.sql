-- Retention of webhook delivery logs (issue #15): deletes the calling transaction's tenant's events created before
-- the cutoff that are dispatched and have no delivery still pending, at most max_rows of them; their deliveries and
-- attempts go with them (foreign keys ON DELETE CASCADE). Runs as the owner, under the tenant policy like every role (FORCE row level security).
CREATE OR REPLACE FUNCTION privacy_purge_webhook_logs(cutoff timestamptz, max_rows integer)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    WITH due AS (
        SELECT m.id FROM public.webhook_messages m
        WHERE m.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
          AND m.created_at < cutoff AND m.dispatched_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM public.webhook_deliveries d WHERE d.message_id = m.id AND d.status = 'pending')
        ORDER BY m.created_at
        LIMIT max_rows
    ), gone AS (
        DELETE FROM public.webhook_messages WHERE id IN (SELECT id FROM due) RETURNING 1
    )
    SELECT count(*)::integer FROM gone;
$$;
REVOKE ALL ON FUNCTION privacy_purge_webhook_logs(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION privacy_purge_webhook_logs(timestamptz, integer) TO $AppRole$;
