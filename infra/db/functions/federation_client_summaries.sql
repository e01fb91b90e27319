-- What a member instance tells its federation hub about each client business it holds: counts and sums over the
-- window from since_time to at_time, never a lead, contact or user. Won revenue is per currency.
CREATE OR REPLACE FUNCTION federation_client_summaries(since_time timestamptz, at_time timestamptz)
RETURNS TABLE (
    tenant_id       uuid,
    tenant_name     text,
    industry        text,
    tenant_status   text,
    active_users    bigint,
    leads_created   bigint,
    leads_won       bigint,
    leads_lost      bigint,
    won_revenue     jsonb,
    last_sign_in_at timestamptz
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT t.id, t.name, t.industry, t.status,
           (SELECT count(*) FROM users u WHERE u.tenant_id = t.id AND u.status = 'active'),
           (SELECT count(*) FROM leads l WHERE l.tenant_id = t.id AND l.created_at >= since_time AND l.created_at < at_time),
           (SELECT count(*) FROM leads l WHERE l.tenant_id = t.id AND l.outcome = 'won' AND l.outcome_at >= since_time AND l.outcome_at < at_time),
           (SELECT count(*) FROM leads l WHERE l.tenant_id = t.id AND l.outcome = 'lost' AND l.outcome_at >= since_time AND l.outcome_at < at_time),
           COALESCE((SELECT jsonb_object_agg(w.currency, w.amount)
                     FROM (SELECT l.won_currency AS currency, sum(l.won_amount) AS amount
                           FROM leads l
                           WHERE l.tenant_id = t.id AND l.outcome = 'won' AND l.won_amount IS NOT NULL
                             AND l.outcome_at >= since_time AND l.outcome_at < at_time
                           GROUP BY l.won_currency) w), '{}'::jsonb),
           (SELECT max(s.created_at) FROM sessions s WHERE s.tenant_id = t.id)
    FROM tenants t
    ORDER BY t.name, t.id
$$;
REVOKE ALL ON FUNCTION federation_client_summaries(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION federation_client_summaries(timestamptz, timestamptz) TO $AppRole$;
