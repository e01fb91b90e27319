-- Connections whose scheduled sync is due, across tenants: identifiers only; the launcher then reads and writes each
-- connection under its own tenant.
CREATE OR REPLACE FUNCTION connections_due(due_at timestamptz, max_connections integer)
RETURNS TABLE (due_tenant_id uuid, due_connection_id uuid)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT c.tenant_id, c.id
    FROM public.connections AS c
    WHERE c.enabled AND c.schedule <> 'manual' AND c.health <> 'broken' AND c.next_sync_at <= due_at
    ORDER BY c.next_sync_at
    LIMIT LEAST(GREATEST(max_connections, 0), 1000);
$$;
REVOKE ALL ON FUNCTION connections_due(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION connections_due(timestamptz, integer) TO $AppRole$;
