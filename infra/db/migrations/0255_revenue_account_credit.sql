-- Forward-only. Revenue analytics net of account credit (docs/billing-console.md, "Revenue analytics"): the account
-- credit the billing cycle took off an invoice lowers the revenue of the period that invoice billed, as an
-- 'account_credit' line type, beside the credit notes written against an invoice. As 0051 did for credit_notes, the
-- owner (which owns billing_revenue_by_month and which the application role is never granted) may read the
-- applications; the application role still sees only its tenant's rows (tenant_isolation from 0225).
CREATE POLICY billing_console_owner_reads ON credit_note_applications FOR SELECT TO CURRENT_USER USING (true);
