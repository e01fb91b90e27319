-- Who can access what, per business: users by role and status, and how many active users have MFA on. Counts only.
CREATE OR REPLACE FUNCTION privacy_compliance_access()
RETURNS TABLE (tenant_id uuid, tenant_name text, tenant_status text, role text, users bigint, active_users bigint, mfa_enabled bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT t.id, t.name, t.status, u.role, count(*), count(*) FILTER (WHERE u.status = 'active'),
           count(*) FILTER (WHERE u.status = 'active' AND u.mfa_enabled)
    FROM public.tenants t JOIN public.users u ON u.tenant_id = t.id
    GROUP BY t.id, t.name, t.status, u.role
    ORDER BY t.name, t.id, u.role;
$$;
REVOKE ALL ON FUNCTION privacy_compliance_access() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION privacy_compliance_access() TO $AppRole$;
