-- Data-subject requests made in a period across businesses, with how long each took. No subject data.
CREATE OR REPLACE FUNCTION privacy_compliance_requests(period_start timestamptz, period_end timestamptz)
RETURNS TABLE (id uuid, tenant_id uuid, kind text, status text, requested_by text, created_at timestamptz, completed_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT r.id, r.tenant_id, r.kind, r.status, r.requested_by, r.created_at, r.completed_at
    FROM public.privacy_requests r
    WHERE r.created_at >= period_start AND r.created_at < period_end
    ORDER BY r.created_at, r.id;
$$;
REVOKE ALL ON FUNCTION privacy_compliance_requests(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION privacy_compliance_requests(timestamptz, timestamptz) TO $AppRole$;
