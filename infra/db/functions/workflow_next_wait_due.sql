-- When the wake scheduler has something to do next, across tenants: the earliest due time of a database-carried wait,
-- or the end of the lease of one claimed already (its host may have died).
CREATE OR REPLACE FUNCTION workflow_next_wait_due()
RETURNS timestamptz
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT min(GREATEST(r.wake_at, COALESCE(r.claimed_until, r.wake_at)))
    FROM public.workflow_runs AS r
    WHERE r.wake_at IS NOT NULL AND r.status IN ('waiting', 'running');
$$;
REVOKE ALL ON FUNCTION workflow_next_wait_due() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workflow_next_wait_due() TO $AppRole$;
