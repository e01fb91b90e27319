-- Forward-only. client_success_signals (infra/db/functions) gains the owners' own sign-ins recent and prior, leads
-- decided and won 90-365 days before at_time, and the use of each of the last 12 weeks (docs/client-success.md). A
-- function's result columns cannot change in place, so the old definition is dropped here; the functions step that
-- follows every migration run creates the new one. No table changes, so no RLS to add.
DROP FUNCTION IF EXISTS client_success_signals(timestamptz);
