-- Issue #16: a short wait (due within Workflows:ShortWaitHorizon) is carried by the database instead of a durable timer.
-- wake_at is the due time of the wait at wake_path, committed with the wait's log row; the hosts' wake scheduler claims
-- due runs (workflow_claim_due_waits, leased through claimed_until) and takes the steps after the wait. Cleared when the
-- run goes on past the wait, is handed to the durable engine, or is cancelled.
ALTER TABLE workflow_runs ADD COLUMN wake_at timestamptz, ADD COLUMN wake_path text;
CREATE INDEX workflow_runs_wake_at ON workflow_runs (wake_at) WHERE wake_at IS NOT NULL;
