-- Who requested, exported, downloaded or erased personal data in a period, from the audit chain (privacy.* entries),
-- oldest first, at most max_rows. The entries carry no personal data (docs/privacy.md).
CREATE OR REPLACE FUNCTION privacy_compliance_audit(period_start timestamptz, period_end timestamptz, max_rows integer)
RETURNS TABLE (sequence bigint, tenant_id uuid, actor text, action text, target text, outcome text, occurred_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT a.sequence, a.tenant_id, a.actor, a.action, a.target, a.outcome, a.occurred_at
    FROM public.audit_log a
    WHERE a.action LIKE 'privacy.%' AND a.occurred_at >= period_start AND a.occurred_at < period_end
    ORDER BY a.occurred_at, a.sequence
    LIMIT max_rows;
$$;
REVOKE ALL ON FUNCTION privacy_compliance_audit(timestamptz, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION privacy_compliance_audit(timestamptz, timestamptz, integer) TO $AppRole$;
