-- Removes work rows whose work has been started. Only rows still claimed: a row whose claim ran out may already be
-- another dispatcher's, and that one completes it.
CREATE OR REPLACE FUNCTION work_outbox_complete(ids bigint[])
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    WITH done AS (
        DELETE FROM public.work_outbox WHERE id = ANY(ids) AND claimed_until IS NOT NULL RETURNING 1
    )
    SELECT count(*)::integer FROM done;
$$;
REVOKE ALL ON FUNCTION work_outbox_complete(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION work_outbox_complete(bigint[]) TO $AppRole$;
