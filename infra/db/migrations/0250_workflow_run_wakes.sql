-- Issue #16: a run waiting on a condition about its lead is woken when the lead changes, instead of waiting for its
-- next poll. An event about the lead marks the run (wake_requested_at, in the event's transaction); the host passes
-- the marks on to the work outbox in batches (workflow_claim_run_wakes), which raises an event to each orchestration.
-- Many changes before the host takes the mark wake the run once.
ALTER TABLE workflow_runs ADD COLUMN wake_requested_at timestamptz;
CREATE INDEX workflow_runs_waiting_by_lead ON workflow_runs (tenant_id, lead_id) WHERE status = 'waiting';
CREATE INDEX workflow_runs_wake_requested ON workflow_runs (wake_requested_at) WHERE wake_requested_at IS NOT NULL;
