-- Forward-only. client_success_signals (infra/db/functions) gains the counts of the 30 days 60-90 days before at_time
-- (logins_early, leads_early, stage_changes_early, ai_calls_early: docs/client-success.md). A function's result
-- columns cannot change in place, so the old definition is dropped here; the functions step that follows every
-- migration run creates the new one. No table changes, so no RLS to add.
DROP FUNCTION IF EXISTS client_success_signals(timestamptz);
