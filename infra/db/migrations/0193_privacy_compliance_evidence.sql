-- Issue #15: the compliance evidence report (developer side) reads across businesses through SECURITY DEFINER
-- functions (functions/privacy_compliance_*.sql), run as the owner role: these read-only policies let the owner see
-- the rows those functions aggregate; users are already readable to it (0048).
CREATE POLICY privacy_compliance_reads ON privacy_requests FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY privacy_compliance_reads ON audit_log FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY privacy_compliance_reads ON privacy_retention_runs FOR SELECT TO CURRENT_USER USING (true);
CREATE INDEX audit_log_privacy_actions ON audit_log (occurred_at) WHERE action LIKE 'privacy.%';
