-- Claims up to max_messages undispatched events for lease_seconds (another dispatcher skips them meanwhile)
-- and returns their (tenant, message) pairs, oldest first.
CREATE OR REPLACE FUNCTION webhook_claim_outbox(max_messages integer, lease_seconds integer)
RETURNS TABLE (claimed_tenant_id uuid, claimed_message_id text)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    UPDATE public.webhook_messages AS m
    SET dispatch_lease_until = now() + make_interval(secs => GREATEST(lease_seconds, 1))
    FROM (
        SELECT candidate.id
        FROM public.webhook_messages AS candidate
        WHERE candidate.dispatched_at IS NULL
          AND (candidate.dispatch_lease_until IS NULL OR candidate.dispatch_lease_until < now())
        ORDER BY candidate.created_at
        LIMIT LEAST(GREATEST(max_messages, 0), 1000)
        FOR UPDATE SKIP LOCKED
    ) AS claimable
    WHERE m.id = claimable.id
    RETURNING m.tenant_id, m.id;
$$;
REVOKE ALL ON FUNCTION webhook_claim_outbox(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_claim_outbox(integer, integer) TO $AppRole$;
