-- The connections a vendor's notification names by its account id (QuickBooks' realmId, kept in the connection's
-- settings as realmId), found without a tenant context: identifiers only. The caller then works under each tenant.
CREATE OR REPLACE FUNCTION connections_find_by_realm(connection_kind text, realm text)
RETURNS TABLE (found_tenant_id uuid, found_connection_id uuid)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT c.tenant_id, c.id FROM public.connections AS c
    WHERE c.kind = connection_kind AND c.settings ->> 'realmId' = realm
    LIMIT 100;
$$;
REVOKE ALL ON FUNCTION connections_find_by_realm(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION connections_find_by_realm(text, text) TO $AppRole$;
