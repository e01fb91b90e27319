-- Claims up to max_items unclaimed (or expired) work rows of the task hub, of any tenant, for lease_seconds, oldest first. SKIP LOCKED:
-- two dispatchers claiming at once get disjoint rows, so no work is started twice by two hosts.
CREATE OR REPLACE FUNCTION work_outbox_claim(hub text, max_items integer, lease_seconds integer)
RETURNS TABLE (claimed_id bigint, claimed_tenant_id uuid, claimed_kind text, claimed_subject_id uuid)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    UPDATE public.work_outbox AS w
    SET claimed_until = now() + make_interval(secs => GREATEST(lease_seconds, 1))
    FROM (
        SELECT candidate.id
        FROM public.work_outbox AS candidate
        WHERE candidate.task_hub = hub AND (candidate.claimed_until IS NULL OR candidate.claimed_until < now())
        ORDER BY candidate.id
        LIMIT LEAST(GREATEST(max_items, 0), 1000)
        FOR UPDATE SKIP LOCKED
    ) AS claimable
    WHERE w.id = claimable.id
    RETURNING w.id, w.tenant_id, w.kind, w.subject_id;
$$;
REVOKE ALL ON FUNCTION work_outbox_claim(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION work_outbox_claim(text, integer, integer) TO $AppRole$;
