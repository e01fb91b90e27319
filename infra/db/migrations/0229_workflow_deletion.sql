-- Issue #16: a workflow can be deleted. The row stays (deleted_at, deleted_by) so that its versions and its runs' logs
-- stay readable; a deleted workflow is disabled, queues no run, and is not listed. Runs of it still in flight when it is
-- deleted are cancelled with the reason: a new status, ended like completed, skipped and failed.
ALTER TABLE workflows ADD COLUMN deleted_at timestamptz, ADD COLUMN deleted_by text;
ALTER TABLE workflows ADD CONSTRAINT workflows_deleted_is_disabled CHECK (deleted_at IS NULL OR NOT enabled);

ALTER TABLE workflow_runs DROP CONSTRAINT workflow_runs_status_check;
ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_status_check
    CHECK (status IN ('queued', 'dispatched', 'running', 'waiting', 'completed', 'skipped', 'failed', 'cancelled'));
