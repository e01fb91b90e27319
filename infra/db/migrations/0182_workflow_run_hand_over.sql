-- Issue #16: the host takes a run's leading steps in process before it hands the run to the durable engine, so a run
-- can be running (or waiting) and not yet handed over. handed_over_at says it was: a run begun by a host that died
-- before the hand-over is claimed again once its lease runs out (workflow_claim_queued_runs).
ALTER TABLE workflow_runs ADD COLUMN handed_over_at timestamptz;
UPDATE workflow_runs SET handed_over_at = COALESCE(started_at, queued_at) WHERE status <> 'queued';
CREATE INDEX workflow_runs_not_handed_over ON workflow_runs (queued_at) WHERE handed_over_at IS NULL;
