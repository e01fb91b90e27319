-- Marks each Local Services connection a newly won or lost lead came from as owing feedback, in the event's own
-- transaction (the caller's tenant, under RLS); a later mark of the same connection moves its due time and frees a claim.
-- Connections that are disabled, broken or told not to send feedback are left alone: their next sync decides.
CREATE OR REPLACE FUNCTION lsa_feedback_from_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lead text := NEW.payload ->> 'leadId';
BEGIN
    IF lead IS NULL OR lead !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        RETURN NULL;
    END IF;
    INSERT INTO lsa_feedback_due (connection_id, tenant_id, due_at)
    SELECT DISTINCT s.connection_id, NEW.tenant_id, clock_timestamp()
    FROM lead_source_links AS s
    JOIN connections AS c ON c.id = s.connection_id
    WHERE s.tenant_id = NEW.tenant_id AND s.lead_id = lead::uuid AND s.source = 'google_lsa'
      AND c.enabled AND c.health <> 'broken' AND COALESCE(c.settings ->> 'sendFeedback', 'true') = 'true'
    ON CONFLICT (connection_id) DO UPDATE SET due_at = EXCLUDED.due_at, claimed_until = NULL;
    RETURN NULL;
END;
$$;
