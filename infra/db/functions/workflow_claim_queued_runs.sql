-- Claims up to max_runs workflow runs of any tenant not yet handed to the durable engine (queued, or begun in process
-- by a host) for lease_seconds, oldest first, and returns their (tenant, run) ids. SKIP LOCKED: two hosts claiming at
-- once get disjoint runs. A claim that runs out (its host died before handing the run to the work outbox) is claimed
-- again; a run that ended in process (completed or skipped) is not, nor one whose wait the database carries (wake_at:
-- workflow_claim_due_waits takes it from there). claimed_at keeps the first claim's time (migration 0279).
CREATE OR REPLACE FUNCTION workflow_claim_queued_runs(max_runs integer, lease_seconds integer)
RETURNS TABLE (claimed_tenant_id uuid, claimed_run_id uuid)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    UPDATE public.workflow_runs AS r
    SET claimed_until = now() + make_interval(secs => GREATEST(lease_seconds, 1)), claimed_at = COALESCE(r.claimed_at, clock_timestamp())
    FROM (
        SELECT candidate.id
        FROM public.workflow_runs AS candidate
        WHERE candidate.handed_over_at IS NULL AND candidate.wake_at IS NULL AND candidate.status IN ('queued', 'running', 'waiting')
          AND (candidate.claimed_until IS NULL OR candidate.claimed_until < now())
        ORDER BY candidate.queued_at
        LIMIT LEAST(GREATEST(max_runs, 0), 1000)
        FOR UPDATE SKIP LOCKED
    ) AS claimable
    WHERE r.id = claimable.id
    RETURNING r.tenant_id, r.id;
$$;
REVOKE ALL ON FUNCTION workflow_claim_queued_runs(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workflow_claim_queued_runs(integer, integer) TO $AppRole$;
