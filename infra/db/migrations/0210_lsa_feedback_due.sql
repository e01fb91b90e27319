-- Issue #20: Local Services feedback without waiting for the next sync. When a lead linked to a google_lsa connection
-- is won or lost, its lead.converted / lead.lost event (a webhook_messages row) marks the connection as owing feedback,
-- in the event's own transaction (trigger lsa_feedback_from_event); a timer claims the marks and starts a feedback-only
-- sync of each connection (trigger 'feedback'), which sends what Google has not been told through the connection's own
-- sync machinery: one sync at a time, Retry-After and 5xx retries, refusals recorded and never resent.
ALTER TABLE connection_syncs DROP CONSTRAINT connection_syncs_trigger_check;
ALTER TABLE connection_syncs ADD CONSTRAINT connection_syncs_trigger_check CHECK (trigger IN ('schedule', 'manual', 'feedback'));

CREATE TABLE lsa_feedback_due (
    connection_id   uuid PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    due_at          timestamptz NOT NULL,
    claimed_until   timestamptz
);
CREATE INDEX lsa_feedback_due_order ON lsa_feedback_due (due_at);
CALL enable_tenant_isolation('lsa_feedback_due');
-- The timer claims marks of every tenant through lsa_feedback_claim_due (SECURITY DEFINER, run as the owner).
CREATE POLICY lsa_feedback_due_dispatch ON lsa_feedback_due FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);

-- The body is infra/db/functions/lsa_feedback_from_event.sql, applied after the migrations.
CREATE FUNCTION lsa_feedback_from_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END;
$$;
CREATE TRIGGER lsa_feedback_from_event AFTER INSERT ON webhook_messages
    FOR EACH ROW WHEN (NEW.event_type IN ('lead.converted', 'lead.lost') AND NEW.target_endpoint_id IS NULL)
    EXECUTE FUNCTION lsa_feedback_from_event();
