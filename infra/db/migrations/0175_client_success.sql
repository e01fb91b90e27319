-- Forward-only. Client success (issue #21): the provider's churn-risk signals per client business. Follows
-- 0048_billing_console.sql: the owner (which owns client_success_signals and which the application role is never
-- granted) gets read-only policies on the tables that function counts and that had none yet, so only that
-- SECURITY DEFINER function reads them across tenants, and it returns counts, never a row.
CREATE POLICY client_success_owner_counts ON sessions FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY client_success_owner_counts ON lead_stage_history FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY client_success_owner_counts ON connection_syncs FOR SELECT TO CURRENT_USER USING (true);

-- Logins per business in a window, and each business's latest owner sign-in before a time.
CREATE INDEX sessions_tenant_created ON sessions (tenant_id, created_at);
