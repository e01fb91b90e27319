-- Issue #16: runs that ended are deleted after Workflows:RunRetention (the timer PurgeWorkflowRuns), oldest first, per
-- business; this finds them without reading the business's every run.
CREATE INDEX workflow_runs_ended ON workflow_runs (tenant_id, finished_at)
    WHERE status IN ('completed', 'skipped', 'failed', 'cancelled');
