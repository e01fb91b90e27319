-- Claims up to max_runs workflow runs of any tenant whose database-carried wait (wake_at) is due by due_by, earliest
-- first, for lease_seconds, and returns their (tenant, run, wait path). SKIP LOCKED and the lease: two hosts claiming at
-- once get disjoint runs, and a run whose host died after the claim is claimed again once the lease has run out.
-- due_by is the host's clock, the clock the due times were planned on. only_tenant (null: every tenant) keeps a claim to one
-- business: the integration tests' passes, which must not take the waits of other suites sharing the database.
CREATE OR REPLACE FUNCTION workflow_claim_due_waits(max_runs integer, lease_seconds integer, due_by timestamptz, only_tenant uuid)
RETURNS TABLE (claimed_tenant_id uuid, claimed_run_id uuid, claimed_path text)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    UPDATE public.workflow_runs AS r
    SET claimed_until = due_by + make_interval(secs => GREATEST(lease_seconds, 1))
    FROM (
        SELECT candidate.id
        FROM public.workflow_runs AS candidate
        WHERE candidate.wake_at IS NOT NULL AND candidate.wake_at <= due_by AND candidate.status IN ('waiting', 'running')
          AND (candidate.claimed_until IS NULL OR candidate.claimed_until < due_by)
          AND (only_tenant IS NULL OR candidate.tenant_id = only_tenant)
        ORDER BY candidate.wake_at
        LIMIT LEAST(GREATEST(max_runs, 0), 1000)
        FOR UPDATE SKIP LOCKED
    ) AS due
    WHERE r.id = due.id
    RETURNING r.tenant_id, r.id, r.wake_path;
$$;
REVOKE ALL ON FUNCTION workflow_claim_due_waits(integer, integer, timestamptz, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workflow_claim_due_waits(integer, integer, timestamptz, uuid) TO $AppRole$;
