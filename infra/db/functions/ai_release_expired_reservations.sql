-- Gives back what crashed calls reserved. Counter rows are locked in the gateway's own order (provider month,
-- then tenant rows by tenant, kind, period) so that this never deadlocks with a reservation or a reconciliation;
-- reservations being reconciled right now are skipped, so each amount is released exactly once.
CREATE OR REPLACE FUNCTION ai_release_expired_reservations(at_time timestamptz, max_rows integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    released  integer;
    tenants   uuid[];
    amounts   numeric[];
    days      date[];
    months    date[];
BEGIN
    WITH expired AS (
        DELETE FROM ai_reservations r
        USING (SELECT id FROM ai_reservations
               WHERE expires_at <= at_time
               ORDER BY expires_at
               LIMIT max_rows
               FOR UPDATE SKIP LOCKED) e
        WHERE r.id = e.id
        RETURNING r.tenant_id, r.amount_usd, r.day_start, r.month_start
    )
    SELECT count(*)::integer, array_agg(tenant_id), array_agg(amount_usd), array_agg(day_start), array_agg(month_start)
    INTO released, tenants, amounts, days, months
    FROM expired;

    IF released = 0 THEN
        RETURN 0;
    END IF;

    PERFORM 1 FROM ai_provider_spend WHERE period_start = ANY (months) ORDER BY period_start FOR UPDATE;
    UPDATE ai_provider_spend p
    SET reserved_usd = greatest(p.reserved_usd - x.amount, 0)
    FROM (SELECT m AS period_start, sum(a) AS amount FROM unnest(months, amounts) AS u(m, a) GROUP BY m) x
    WHERE p.period_start = x.period_start;

    PERFORM 1
    FROM ai_tenant_spend s
    JOIN (SELECT t, 'day'::text AS k, d AS p FROM unnest(tenants, days) AS u(t, d)
          UNION SELECT t, 'month'::text, m FROM unnest(tenants, months) AS u(t, m)) x
      ON s.tenant_id = x.t AND s.period_kind = x.k AND s.period_start = x.p
    ORDER BY s.tenant_id, s.period_kind, s.period_start
    FOR UPDATE OF s;
    UPDATE ai_tenant_spend s
    SET reserved_usd = greatest(s.reserved_usd - x.amount, 0)
    FROM (SELECT t, 'day'::text AS k, d AS p, sum(a) AS amount FROM unnest(tenants, days, amounts) AS u(t, d, a) GROUP BY t, d
          UNION ALL
          SELECT t, 'month'::text, m, sum(a) FROM unnest(tenants, months, amounts) AS u(t, m, a) GROUP BY t, m) x
    WHERE s.tenant_id = x.t AND s.period_kind = x.k AND s.period_start = x.p;

    RETURN released;
END;
$$;
REVOKE ALL ON FUNCTION ai_release_expired_reservations(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ai_release_expired_reservations(timestamptz, integer) TO $AppRole$;
