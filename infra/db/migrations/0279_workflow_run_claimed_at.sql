-- Issue #16: when a host first claimed a queued run (workflow_claim_queued_runs), so that the time from an event to its
-- run's first step can be read hop by hop: event committed (the run row is inserted in the event's transaction) ->
-- claimed -> begun (started_at) -> first step done (first_step_at) -> released by the start claim (handed_over_at).
ALTER TABLE workflow_runs ADD COLUMN claimed_at timestamptz;
