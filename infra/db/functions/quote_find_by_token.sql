-- The quote an emailed approval link names, found without a tenant context (the customer has no session): only the
-- tenant and quote ids, for a token hash that matches exactly. The caller then reads the quote under that tenant.
CREATE OR REPLACE FUNCTION quote_find_by_token(token_hash bytea)
RETURNS TABLE (found_tenant_id uuid, found_quote_id uuid)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT q.tenant_id, q.id FROM public.quotes AS q WHERE q.approval_token_hash = token_hash;
$$;
REVOKE ALL ON FUNCTION quote_find_by_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION quote_find_by_token(bytea) TO $AppRole$;
