-- Queues one run per enabled workflow triggered by a newly committed event's type, in the event's own transaction (the
-- caller's tenant, under RLS). Events re-sent to one endpoint (target_endpoint_id: replays, tests) are not new events.
-- The depth is the inserting transaction's app.workflow_depth: a run's own steps set it, so loops are counted.
-- An event about a lead also marks the runs waiting on a condition about that lead, to be woken (migration 0250).
CREATE OR REPLACE FUNCTION workflow_runs_from_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    queued integer;
    woken  integer;
    lead   text := COALESCE(NEW.payload ->> 'leadId',
                            CASE WHEN NEW.event_type IN ('lead.created', 'lead.updated') THEN NEW.payload ->> 'id' END);
BEGIN
    IF NEW.target_endpoint_id IS NOT NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO workflow_runs (id, tenant_id, workflow_id, version, trigger_key, event_type, lead_id, depth, status, queued_at)
    SELECT gen_random_uuid(), NEW.tenant_id, w.id, w.version, NEW.id, NEW.event_type,
           CASE WHEN lead ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN lead::uuid END,
           COALESCE(NULLIF(current_setting('app.workflow_depth', true), '')::integer, 0), 'queued', clock_timestamp()
    FROM workflows AS w
    WHERE w.tenant_id = NEW.tenant_id AND w.enabled AND w.deleted_at IS NULL AND w.trigger_event = NEW.event_type
    ON CONFLICT (workflow_id, trigger_key) DO NOTHING;
    GET DIAGNOSTICS queued = ROW_COUNT;
    IF lead ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        UPDATE workflow_runs AS r SET wake_requested_at = clock_timestamp()
        WHERE r.tenant_id = NEW.tenant_id AND r.lead_id = lead::uuid AND r.status = 'waiting' AND r.wake_requested_at IS NULL
          AND EXISTS (SELECT 1 FROM workflow_run_steps AS s
                      WHERE s.run_id = r.id AND s.status = 'waiting' AND jsonb_typeof(s.input -> 'untilCondition') = 'object');
        GET DIAGNOSTICS woken = ROW_COUNT;
        queued := queued + woken;
    END IF;
    IF queued > 0 THEN
        PERFORM pg_notify('workflow_runs', '');
    END IF;
    RETURN NULL;
END;
$$;
