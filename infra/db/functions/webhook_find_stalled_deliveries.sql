-- Deliveries still pending well after their attempt was due: their orchestration was never started or died.
CREATE OR REPLACE FUNCTION webhook_find_stalled_deliveries(due_before timestamptz, max_deliveries integer)
RETURNS TABLE (stalled_tenant_id uuid, stalled_delivery_id uuid)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT d.tenant_id, d.id
    FROM public.webhook_deliveries AS d
    WHERE d.status = 'pending' AND d.next_attempt_at < due_before
    ORDER BY d.next_attempt_at
    LIMIT LEAST(GREATEST(max_deliveries, 0), 1000);
$$;
REVOKE ALL ON FUNCTION webhook_find_stalled_deliveries(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_find_stalled_deliveries(timestamptz, integer) TO $AppRole$;
