-- Per client business, the figures owners compare with their peers, over leads created from since_time to at_time:
-- lead volume, median hours from a lead's creation to its first stage change (speed to first contact), conversion
-- (won of those decided), won revenue per lead, average won job, and AI's share of what StreamFlow invoiced it.
-- NULL where a business has nothing to measure (no decided lead, no invoice): it then sits out that figure's cohort.
-- Amounts are summed as recorded; a business is assumed to sell in one currency.
CREATE OR REPLACE FUNCTION benchmark_tenant_metrics(since_time timestamptz, at_time timestamptz)
RETURNS TABLE (
    tenant_id                  uuid,
    tenant_name                text,
    industry                   text,
    active_users               bigint,
    lead_volume                bigint,
    first_contact_hours        double precision,
    conversion_rate            double precision,
    won_revenue_per_lead       double precision,
    average_job_value          double precision,
    ai_spend_share             double precision
)
-- PL/pgSQL for RETURN QUERY, which may run in parallel; a SQL function's query never does.
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
-- The medians sort every decided lead of every business: in memory, not in temporary files.
SET work_mem = '64MB'
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    -- Each figure is one grouped pass over its table for every business at once (no per-business subquery, no
    -- materialised copy of the window's leads): 1,000 businesses and 300,000 leads in well under a second.
    WITH lead_figures AS (
        SELECT l.tenant_id,
               count(*) AS lead_volume,
               count(*) FILTER (WHERE l.outcome = 'won') AS won,
               count(*) FILTER (WHERE l.outcome IS NOT NULL) AS decided,
               sum(l.won_amount) FILTER (WHERE l.outcome = 'won') AS won_revenue,
               avg(l.won_amount) FILTER (WHERE l.outcome = 'won' AND l.won_amount IS NOT NULL) AS average_job
        FROM leads l
        WHERE l.created_at >= since_time AND l.created_at < at_time AND l.deleted_at IS NULL
        GROUP BY l.tenant_id
    ),
    -- A lead's first stage change happens after it was created, so only changes since the window opened can be one.
    first_changes AS (
        SELECT h.tenant_id, h.lead_id, min(h.changed_at) AS first_change
        FROM lead_stage_history h
        WHERE h.from_stage IS NOT NULL AND h.changed_at >= since_time
        GROUP BY h.tenant_id, h.lead_id
    ),
    first_contact AS (
        SELECT l.tenant_id,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_change - l.created_at) / 3600.0) AS median_hours
        FROM first_changes c
        JOIN leads l ON l.tenant_id = c.tenant_id AND l.id = c.lead_id
        WHERE l.created_at >= since_time AND l.created_at < at_time AND l.deleted_at IS NULL
        GROUP BY l.tenant_id
    ),
    active_users AS (
        SELECT u.tenant_id, count(*) AS users FROM users u WHERE u.status = 'active' GROUP BY u.tenant_id
    ),
    ai AS (
        SELECT u.tenant_id, sum(u.billable_usd) AS billable
        FROM ai_usage u
        WHERE u.occurred_at >= since_time AND u.occurred_at < at_time
        GROUP BY u.tenant_id
    ),
    invoiced AS (
        SELECT i.tenant_id, sum(i.total) AS total
        FROM invoices i
        WHERE i.finalized_at IS NOT NULL AND i.issued_at >= since_time AND i.issued_at < at_time
        GROUP BY i.tenant_id
    )
    SELECT t.id, t.name, t.industry,
           COALESCE(au.users, 0)::bigint,
           COALESCE(f.lead_volume, 0)::bigint,
           fc.median_hours,
           CASE WHEN f.decided > 0 THEN f.won::double precision / f.decided END,
           CASE WHEN f.lead_volume > 0 THEN COALESCE(f.won_revenue, 0)::double precision / f.lead_volume END,
           f.average_job::double precision,
           CASE WHEN inv.total > 0 THEN LEAST(1.0, COALESCE(ai.billable, 0)::double precision / inv.total::double precision) END
    FROM tenants t
    LEFT JOIN lead_figures f ON f.tenant_id = t.id
    LEFT JOIN first_contact fc ON fc.tenant_id = t.id
    LEFT JOIN active_users au ON au.tenant_id = t.id
    LEFT JOIN ai ON ai.tenant_id = t.id
    LEFT JOIN invoiced inv ON inv.tenant_id = t.id
    WHERE t.status = 'active'
    ORDER BY t.id;
END
$$;
REVOKE ALL ON FUNCTION benchmark_tenant_metrics(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION benchmark_tenant_metrics(timestamptz, timestamptz) TO $AppRole$;
