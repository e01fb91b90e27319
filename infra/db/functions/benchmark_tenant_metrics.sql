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
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH window_leads AS (
        SELECT l.tenant_id, l.id, l.created_at, l.outcome, l.won_amount
        FROM leads l
        WHERE l.created_at >= since_time AND l.created_at < at_time AND l.deleted_at IS NULL
    ),
    first_contact AS (
        SELECT w.tenant_id, extract(epoch FROM min(h.changed_at) - w.created_at) / 3600.0 AS hours
        FROM window_leads w
        JOIN lead_stage_history h ON h.tenant_id = w.tenant_id AND h.lead_id = w.id AND h.from_stage IS NOT NULL
        GROUP BY w.tenant_id, w.id, w.created_at
    ),
    lead_figures AS (
        SELECT w.tenant_id,
               count(*) AS lead_volume,
               count(*) FILTER (WHERE w.outcome = 'won') AS won,
               count(*) FILTER (WHERE w.outcome IS NOT NULL) AS decided,
               sum(w.won_amount) FILTER (WHERE w.outcome = 'won') AS won_revenue,
               avg(w.won_amount) FILTER (WHERE w.outcome = 'won' AND w.won_amount IS NOT NULL) AS average_job
        FROM window_leads w
        GROUP BY w.tenant_id
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
           (SELECT count(*) FROM users u WHERE u.tenant_id = t.id AND u.status = 'active'),
           COALESCE(f.lead_volume, 0),
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY c.hours) FROM first_contact c WHERE c.tenant_id = t.id),
           CASE WHEN f.decided > 0 THEN f.won::double precision / f.decided END,
           CASE WHEN f.lead_volume > 0 THEN COALESCE(f.won_revenue, 0)::double precision / f.lead_volume END,
           f.average_job::double precision,
           CASE WHEN inv.total > 0 THEN LEAST(1.0, COALESCE(ai.billable, 0)::double precision / inv.total::double precision) END
    FROM tenants t
    LEFT JOIN lead_figures f ON f.tenant_id = t.id
    LEFT JOIN ai ON ai.tenant_id = t.id
    LEFT JOIN invoiced inv ON inv.tenant_id = t.id
    WHERE t.status = 'active'
    ORDER BY t.id
$$;
REVOKE ALL ON FUNCTION benchmark_tenant_metrics(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION benchmark_tenant_metrics(timestamptz, timestamptz) TO $AppRole$;
