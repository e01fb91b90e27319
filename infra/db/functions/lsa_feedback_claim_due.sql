-- Local Services connections owing feedback, across tenants, claimed for lease_seconds (a claim that is not released
-- comes back after it): identifiers and the due time only; the timer then starts each connection's feedback sync under
-- its own tenant and clears the mark it claimed.
CREATE OR REPLACE FUNCTION lsa_feedback_claim_due(lease_seconds integer, max_connections integer)
RETURNS TABLE (due_tenant_id uuid, due_connection_id uuid, due_at timestamptz)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    UPDATE public.lsa_feedback_due AS d
    SET claimed_until = clock_timestamp() + make_interval(secs => GREATEST(lease_seconds, 1))
    WHERE d.connection_id IN (
        SELECT f.connection_id FROM public.lsa_feedback_due AS f
        WHERE f.claimed_until IS NULL OR f.claimed_until < clock_timestamp()
        ORDER BY f.due_at
        LIMIT LEAST(GREATEST(max_connections, 0), 1000)
        FOR UPDATE SKIP LOCKED)
    RETURNING d.tenant_id, d.connection_id, d.due_at;
$$;
REVOKE ALL ON FUNCTION lsa_feedback_claim_due(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lsa_feedback_claim_due(integer, integer) TO $AppRole$;
