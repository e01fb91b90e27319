-- Per client business active at at_time, what its churn risk is computed from (docs/client-success.md): counts over the
-- last 30 days ("recent") and the 60 days before them ("prior", twice as long; its older half, 60-90 days ago, also
-- on its own as "early", so a fade over three months can be told from a one-month dip), read as of at_time from what
-- the system records — sign-ins (sessions), leads created, leads decided and won, stage changes, AI calls — plus invoices
-- overdue at at_time (due, not paid by then, not void), failed connection syncs and failed webhook deliveries in the
-- last 30 days, the base fee in force now and 90 days ago, active seats and the days since an owner last signed in.
-- Also: the owners' own sign-ins recent and prior (an owner who stopped is told from one who never signed in much),
-- leads decided and won in the 275 days before the 90 ("before": the business's usual win rate), and the use
-- (sign-ins + stage changes + AI calls) of each of the last 12 weeks, oldest first, for the trend and its irregularity.
-- Everything is as of at_time, so the same function scores today and backtests any past day. Counts only: no lead,
-- contact or user leaves it.
CREATE OR REPLACE FUNCTION client_success_signals(at_time timestamptz)
RETURNS TABLE (
    tenant_id              uuid,
    tenant_name            text,
    industry               text,
    tenant_age_days        double precision,
    logins_recent          bigint,
    logins_prior           bigint,
    active_users_recent    bigint,
    active_users_prior     bigint,
    seats                  bigint,
    owner_idle_days        double precision,
    leads_recent           bigint,
    leads_prior            bigint,
    won_recent             bigint,
    decided_recent         bigint,
    won_prior              bigint,
    decided_prior          bigint,
    stage_changes_recent   bigint,
    stage_changes_prior    bigint,
    ai_calls_recent        bigint,
    ai_calls_prior         bigint,
    overdue_invoices       bigint,
    failed_payments        bigint,
    syncs_recent           bigint,
    failed_syncs_recent    bigint,
    webhook_failures_recent bigint,
    base_fee_now           numeric,
    base_fee_before        numeric,
    logins_early           bigint,
    leads_early            bigint,
    stage_changes_early    bigint,
    ai_calls_early         bigint,
    owner_logins_recent    bigint,
    owner_logins_prior     bigint,
    won_before             bigint,
    decided_before         bigint,
    use_weekly             bigint[]
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH bounds AS (
        SELECT at_time - interval '30 days' AS recent_from, at_time - interval '60 days' AS early_to,
               at_time - interval '90 days' AS prior_from, at_time - interval '365 days' AS year_from,
               at_time - interval '84 days' AS weeks_from
    ),
    active AS (
        SELECT t.id, t.name, t.industry, t.created_at
        FROM tenants t
        WHERE t.created_at <= at_time
          AND (t.status = 'active' OR t.suspended_at > at_time)
    ),
    logins AS (
        SELECT s.tenant_id,
               count(*) FILTER (WHERE s.created_at >= b.recent_from) AS recent,
               count(*) FILTER (WHERE s.created_at < b.recent_from) AS prior,
               count(*) FILTER (WHERE s.created_at < b.early_to) AS early,
               count(DISTINCT s.user_id) FILTER (WHERE s.created_at >= b.recent_from) AS users_recent,
               count(DISTINCT s.user_id) FILTER (WHERE s.created_at < b.recent_from) AS users_prior
        FROM sessions s, bounds b
        WHERE s.created_at >= b.prior_from AND s.created_at < at_time
        GROUP BY s.tenant_id
    ),
    owner_login AS (
        SELECT s.tenant_id, max(s.created_at) AS last_at,
               count(*) FILTER (WHERE s.created_at >= b.recent_from) AS recent,
               count(*) FILTER (WHERE s.created_at >= b.prior_from AND s.created_at < b.recent_from) AS prior
        FROM sessions s JOIN users u ON u.id = s.user_id AND u.role = 'owner', bounds b
        WHERE s.created_at < at_time
        GROUP BY s.tenant_id
    ),
    created AS (
        SELECT l.tenant_id,
               count(*) FILTER (WHERE l.created_at >= b.recent_from) AS recent,
               count(*) FILTER (WHERE l.created_at < b.recent_from) AS prior,
               count(*) FILTER (WHERE l.created_at < b.early_to) AS early
        FROM leads l, bounds b
        WHERE l.created_at >= b.prior_from AND l.created_at < at_time
        GROUP BY l.tenant_id
    ),
    decided AS (
        SELECT l.tenant_id,
               count(*) FILTER (WHERE l.outcome_at >= b.recent_from AND l.outcome = 'won') AS won_recent,
               count(*) FILTER (WHERE l.outcome_at >= b.recent_from) AS decided_recent,
               count(*) FILTER (WHERE l.outcome_at >= b.prior_from AND l.outcome_at < b.recent_from AND l.outcome = 'won') AS won_prior,
               count(*) FILTER (WHERE l.outcome_at >= b.prior_from AND l.outcome_at < b.recent_from) AS decided_prior,
               count(*) FILTER (WHERE l.outcome_at < b.prior_from AND l.outcome = 'won') AS won_before,
               count(*) FILTER (WHERE l.outcome_at < b.prior_from) AS decided_before
        FROM leads l, bounds b
        WHERE l.outcome IS NOT NULL AND l.outcome_at >= b.year_from AND l.outcome_at < at_time
        GROUP BY l.tenant_id
    ),
    moves AS (
        SELECT h.tenant_id,
               count(*) FILTER (WHERE h.changed_at >= b.recent_from) AS recent,
               count(*) FILTER (WHERE h.changed_at < b.recent_from) AS prior,
               count(*) FILTER (WHERE h.changed_at < b.early_to) AS early
        FROM lead_stage_history h, bounds b
        WHERE h.changed_at >= b.prior_from AND h.changed_at < at_time
        GROUP BY h.tenant_id
    ),
    ai AS (
        SELECT u.tenant_id,
               count(*) FILTER (WHERE u.occurred_at >= b.recent_from) AS recent,
               count(*) FILTER (WHERE u.occurred_at < b.recent_from) AS prior,
               count(*) FILTER (WHERE u.occurred_at < b.early_to) AS early
        FROM ai_usage u, bounds b
        WHERE u.occurred_at >= b.prior_from AND u.occurred_at < at_time
        GROUP BY u.tenant_id
    ),
    unpaid AS (
        SELECT i.tenant_id,
               count(*) AS overdue,
               count(*) FILTER (WHERE i.status = 'payment_failed') AS failed
        FROM invoices i
        WHERE i.finalized_at IS NOT NULL AND i.status <> 'void' AND i.due_at < at_time
          AND (i.paid_at IS NULL OR i.paid_at > at_time)
        GROUP BY i.tenant_id
    ),
    syncs AS (
        SELECT c.tenant_id, count(*) AS total, count(*) FILTER (WHERE c.status = 'failed') AS failed
        FROM connection_syncs c, bounds b
        WHERE c.created_at >= b.recent_from AND c.created_at < at_time
        GROUP BY c.tenant_id
    ),
    use_events AS (
        SELECT s.tenant_id, s.created_at AS at FROM sessions s, bounds b WHERE s.created_at >= b.weeks_from AND s.created_at < at_time
        UNION ALL
        SELECT h.tenant_id, h.changed_at FROM lead_stage_history h, bounds b WHERE h.changed_at >= b.weeks_from AND h.changed_at < at_time
        UNION ALL
        SELECT u.tenant_id, u.occurred_at FROM ai_usage u, bounds b WHERE u.occurred_at >= b.weeks_from AND u.occurred_at < at_time
    ),
    use_by_week AS (
        SELECT e.tenant_id, floor(extract(epoch FROM e.at - b.weeks_from) / 604800)::int AS week, count(*) AS n
        FROM use_events e, bounds b
        GROUP BY 1, 2
    ),
    weekly AS (
        SELECT t.id AS tenant_id, array_agg(COALESCE(w.n, 0) ORDER BY g.week) AS counts
        FROM active t CROSS JOIN generate_series(0, 11) AS g(week)
        LEFT JOIN use_by_week w ON w.tenant_id = t.id AND w.week = g.week
        GROUP BY t.id
    ),
    deliveries AS (
        SELECT d.tenant_id, count(*) AS failed
        FROM webhook_deliveries d, bounds b
        WHERE d.status = 'failed' AND d.last_attempt_at >= b.recent_from AND d.last_attempt_at < at_time
        GROUP BY d.tenant_id
    )
    SELECT a.id, a.name, a.industry,
           extract(epoch FROM at_time - a.created_at) / 86400.0,
           COALESCE(lg.recent, 0), COALESCE(lg.prior, 0), COALESCE(lg.users_recent, 0), COALESCE(lg.users_prior, 0),
           (SELECT count(*) FROM users u WHERE u.tenant_id = a.id AND u.status = 'active' AND u.created_at <= at_time),
           extract(epoch FROM at_time - COALESCE(o.last_at, a.created_at)) / 86400.0,
           COALESCE(cr.recent, 0), COALESCE(cr.prior, 0),
           COALESCE(d.won_recent, 0), COALESCE(d.decided_recent, 0), COALESCE(d.won_prior, 0), COALESCE(d.decided_prior, 0),
           COALESCE(m.recent, 0), COALESCE(m.prior, 0),
           COALESCE(ai.recent, 0), COALESCE(ai.prior, 0),
           COALESCE(un.overdue, 0), COALESCE(un.failed, 0),
           COALESCE(sy.total, 0), COALESCE(sy.failed, 0),
           COALESCE(dl.failed, 0),
           (SELECT p.base_fee FROM tenant_pricing p WHERE p.tenant_id = a.id AND p.effective_from <= at_time::date
            ORDER BY p.effective_from DESC, p.recorded_at DESC LIMIT 1),
           (SELECT p.base_fee FROM tenant_pricing p WHERE p.tenant_id = a.id AND p.effective_from <= (at_time - interval '90 days')::date
            ORDER BY p.effective_from DESC, p.recorded_at DESC LIMIT 1),
           COALESCE(lg.early, 0), COALESCE(cr.early, 0), COALESCE(m.early, 0), COALESCE(ai.early, 0),
           COALESCE(o.recent, 0), COALESCE(o.prior, 0), COALESCE(d.won_before, 0), COALESCE(d.decided_before, 0),
           wk.counts
    FROM active a
    LEFT JOIN logins lg ON lg.tenant_id = a.id
    LEFT JOIN owner_login o ON o.tenant_id = a.id
    LEFT JOIN created cr ON cr.tenant_id = a.id
    LEFT JOIN decided d ON d.tenant_id = a.id
    LEFT JOIN moves m ON m.tenant_id = a.id
    LEFT JOIN ai ON ai.tenant_id = a.id
    LEFT JOIN unpaid un ON un.tenant_id = a.id
    LEFT JOIN syncs sy ON sy.tenant_id = a.id
    LEFT JOIN deliveries dl ON dl.tenant_id = a.id
    LEFT JOIN weekly wk ON wk.tenant_id = a.id
    ORDER BY a.id
$$;
REVOKE ALL ON FUNCTION client_success_signals(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION client_success_signals(timestamptz) TO $AppRole$;
