namespace StreamFlow.Core.Branding;

/// <summary>One kind of mail StreamFlow sends, with sample content as its sender composes it.</summary>
public sealed record EmailKindSample(string Kind, string Sender, string Subject, string Text, string? Html = null);

/// <summary>
/// Every kind of mail StreamFlow sends, with sample content in its sender's words, so a brand can be previewed on each
/// before a real one goes out. The senders are named so that a new kind of mail is added here too.
/// </summary>
public static class EmailKinds
{
    public static IReadOnlyList<EmailKindSample> Samples(string business) =>
    [
        new("invitation", "Identity/Clients/PasswordResetService", $"You are invited to {business} on StreamFlow",
            $"Hello Sam Sample,\n\nYou have been invited to join {business} on StreamFlow.\n\nChoose your password here within 7 days:\nhttps://app.example.com/accept-invitation?token=sf_sample\n"),
        new("password-reset", "Identity/Clients/PasswordResetService", "Reset your StreamFlow password",
            $"Someone asked to reset the password of your StreamFlow account at {business}.\n\nReset it here within 30 minutes:\nhttps://app.example.com/reset-password?token=sf_sample\n\nIf it was not you, ignore this email."),
        new("report", "Reports/ReportDeliveryService", $"{business}: your weekly report",
            "Leads this week: 42 (up 12 %). Won: 9. Revenue won: 18,400.00 USD.",
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>td{padding:4px 8px}</style></head><body><h2>Your weekly report</h2>"
            + "<table><tr><td>Leads</td><td>42</td></tr><tr><td>Won</td><td>9</td></tr><tr><td>Revenue won</td><td>18,400.00 USD</td></tr></table></body></html>"),
        new("invoice", "Billing/Cycle/BillingCycleService", "Invoice INV-2026-0001 from StreamFlow: 330.00 USD due 2026-12-15",
            "Invoice INV-2026-0001 for 2026-11-01 to 2026-11-30: 330.00 USD, due 2026-12-15.\n\nPay by bank transfer, quoting the invoice number.\n"),
        new("payment-reminder", "Billing/Payments/DunningService", "Payment reminder: invoice INV-2026-0001 is 7 days overdue",
            "Invoice INV-2026-0001 for 2026-11-01 to 2026-11-30 was due on 2026-12-15.\nAmount due: 330.00 USD.\n\nIf you have paid already, thank you: please reply with the payment reference."),
        new("quote", "FieldOps/Quotes/QuoteEmail", $"Quote Q-0007 from {business}",
            $"Hello Casey Customer,\n\n{business} sent you quote Q-0007 for Furnace replacement at 12 Elm Street.\n\nTotal: 4,250.00 USD (deposit on approval: 500.00 USD)\n\nReview, approve or decline it here until 2026-12-31:\nhttps://app.example.com/quote?token=sf_sample\n"),
        new("technician-schedule", "FieldOps/Dispatch/FieldNotifier", "Your schedule changed",
            "Hello Taylor,\n\nYour day was re-planned (a visit ran long).\n\n- 12 Elm Street: now Tue 8 Dec 10:30 (was Tue 8 Dec 09:00).\n\nOpen the app for your updated route.\n"),
        new("task-reminder", "Tasks/TaskReminderService", "Task due 2026-12-08 09:00: Call back about the furnace",
            "Hello Sam,\n\nThe task \"Call back about the furnace\" is due 2026-12-08 09:00 (America/Chicago).\n"),
        new("workflow-email", "Workflows/WorkflowRunner", "A new lead is waiting: Dana",
            "A new lead, Dana, came in from the web form. Call within the hour."),
        new("admin-alert", "Email/TenantAdminMailer (webhooks, connections, AI budget, geofence)", "StreamFlow webhook endpoint disabled",
            "The endpoint https://example.com/hooks failed 20 times in a row and was disabled. Fix it, then enable it again."),
    ];

    public static IReadOnlyList<string> Names { get; } = Samples("").Select(s => s.Kind).ToList();
}
