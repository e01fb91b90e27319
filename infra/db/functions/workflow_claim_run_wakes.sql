-- Takes up to max_runs wake-up marks of workflow runs of any tenant (their lead changed), oldest first, clears them,
-- and returns the (tenant, run) ids of the runs still waiting, for the work outbox. SKIP LOCKED: two hosts get disjoint
-- runs. A host that dies before the outbox holds them loses those wake-ups; the runs' condition polls remain.
CREATE OR REPLACE FUNCTION workflow_claim_run_wakes(max_runs integer)
RETURNS TABLE (claimed_tenant_id uuid, claimed_run_id uuid)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    WITH woken AS (
        UPDATE public.workflow_runs AS r
        SET wake_requested_at = NULL
        FROM (
            SELECT candidate.id
            FROM public.workflow_runs AS candidate
            WHERE candidate.wake_requested_at IS NOT NULL
            ORDER BY candidate.wake_requested_at
            LIMIT LEAST(GREATEST(max_runs, 0), 1000)
            FOR UPDATE SKIP LOCKED
        ) AS marked
        WHERE r.id = marked.id
        RETURNING r.tenant_id, r.id, r.status
    )
    -- A mark on a run that stopped waiting since is cleared and not passed on.
    SELECT woken.tenant_id, woken.id FROM woken WHERE woken.status = 'waiting';
$$;
REVOKE ALL ON FUNCTION workflow_claim_run_wakes(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workflow_claim_run_wakes(integer) TO $AppRole$;
