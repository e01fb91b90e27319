using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Invoicing;
using StreamFlow.Core.Audit;
using StreamFlow.IntegrationTests.Reports;

namespace StreamFlow.IntegrationTests.FieldOps;

/// <summary>
/// Reminders of overdue customer invoices on a clock the test moves, read back from maildev: N days after the due date,
/// again every N days, at most three times, each step once however often the timer fires.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class CustomerInvoiceReminderTests(TestServices services)
{
    private static readonly HttpClient Maildev = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("MAILDEV_API_URL")
            ?? throw new InvalidOperationException("MAILDEV_API_URL is not set: run the tests through ./test.sh.")),
    };

    // Tuesday 10 November 2026, 12:00 in Chicago.
    private static readonly DateTimeOffset Noon = new(2026, 11, 10, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_unpaid_invoice_is_reminded_every_N_days_after_its_due_date_at_most_three_times_each_step_once()
    {
        using var bed = new ReportTestBed(services, Noon);
        var (tenantId, _) = await bed.CreateTenantAsync("America/Chicago");
        var customer = $"overdue-{Guid.NewGuid():N}@example.com";
        // Due 4 November: 6 days overdue today, so not yet with the default 7.
        var invoice = await InvoiceAsync(bed, tenantId, customer, new DateOnly(2026, 11, 4), status: "sent", totalMinor: 125_000, paidMinor: 25_000);
        var reminders = bed.Get<CustomerInvoiceReminderService>();

        var early = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromDays(1));
        var first = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        var again = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        var firstMails = await MailsAsync(customer, expected: 1);
        bed.Clock.Advance(TimeSpan.FromDays(7));
        var second = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        // The timer was off for a month: one reminder, the third and last, not the steps it missed.
        bed.Clock.Advance(TimeSpan.FromDays(30));
        var third = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromDays(30));
        var after = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        var mails = await MailsAsync(customer, expected: 3);

        Assert.Equal(0, new[] { early, first, again, second, third, after }.Sum(r => r.Failed));
        Assert.Equal((0, 1, 0, 1, 1, 0), (early.Reminded, first.Reminded, again.Reminded, second.Reminded, third.Reminded, after.Reminded));
        var text = Assert.Single(firstMails).GetProperty("text").GetString()!;
        Assert.Contains("7 days overdue", text, StringComparison.Ordinal);
        Assert.Contains("Amount due: 1000.00 USD", text, StringComparison.Ordinal);
        Assert.Contains("reminder 1 of 3", text, StringComparison.Ordinal);
        Assert.Equal(3, mails.Count);
        Assert.Equal([(1, 7), (2, 14), (3, 44)], await StepsAsync(bed, tenantId, invoice));
    }

    [Fact]
    public async Task Paid_draft_and_void_invoices_the_night_and_a_business_that_turned_reminders_off_get_none()
    {
        // 06:00 in Chicago: customers are not mailed at night.
        using var bed = new ReportTestBed(services, Noon.AddHours(-6));
        var (tenantId, owner) = await bed.CreateTenantAsync("America/Chicago");
        var customer = $"not-reminded-{Guid.NewGuid():N}@example.com";
        var dueOn = new DateOnly(2026, 10, 1);
        var paid = await InvoiceAsync(bed, tenantId, customer, dueOn, status: "paid", totalMinor: 5_000, paidMinor: 5_000);
        var draft = await InvoiceAsync(bed, tenantId, customer, dueOn, status: "draft", totalMinor: 5_000, paidMinor: 0);
        var voided = await InvoiceAsync(bed, tenantId, customer, dueOn, status: "void", totalMinor: 5_000, paidMinor: 0);
        var owing = await InvoiceAsync(bed, tenantId, customer, dueOn, status: "sent", totalMinor: 5_000, paidMinor: 0);
        var reminders = bed.Get<CustomerInvoiceReminderService>();
        var settings = bed.Get<FieldOpsSettingsService>();
        var actor = new FieldActor(tenantId, owner.UserId, $"user:{owner.UserId}", true, new RequestOrigin(null, null));

        var night = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        var off = await settings.ReplaceAsync(actor, new FieldOpsSettingsInput(8, 40, 150, 40, OverdueReminderDays: 0), CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromHours(6));
        var whileOff = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);
        var invalid = await settings.ReplaceAsync(actor, new FieldOpsSettingsInput(8, 40, 150, 40, OverdueReminderDays: 91), CancellationToken.None);
        await settings.ReplaceAsync(actor, new FieldOpsSettingsInput(8, 40, 150, 40, OverdueReminderDays: 30), CancellationToken.None);
        var backOn = await reminders.SendDueForTenantAsync(tenantId, CancellationToken.None);

        Assert.Equal((0, 0, 1, 0), (night.Reminded, whileOff.Reminded, backOn.Reminded, backOn.Failed));
        Assert.Equal(0, off.Value!.OverdueReminderDays);
        Assert.True(invalid.Problem!.Errors!.ContainsKey("overdueReminderDays"));
        // 40 days overdue at 30 days apart: the first step.
        Assert.Equal([(1, 40)], await StepsAsync(bed, tenantId, owing));
        foreach (var quiet in new[] { paid, draft, voided })
        {
            Assert.Empty(await StepsAsync(bed, tenantId, quiet));
        }
    }

    private static async Task<Guid> InvoiceAsync(ReportTestBed bed, Guid tenantId, string customer, DateOnly dueOn, string status, long totalMinor, long paidMinor)
    {
        var id = Guid.CreateVersion7();
        await bed.Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO customer_invoices (id, tenant_id, number, status, customer_name, currency, tax_rate, lines, subtotal_minor, tax_minor,
                total_minor, due_on, sent_at, sent_to, paid_minor, created_by, created_at, updated_at)
            VALUES (@Id, @TenantId, (SELECT coalesce(max(number), 0) + 1 FROM customer_invoices), @Status, 'Rita Customer', 'USD', 0,
                '[{"kind":"labour","description":"Furnace repair","quantity":1,"unitPrice":1250.00,"taxable":false}]', @Total, 0,
                @Total, @DueOn, CASE WHEN @Status = 'draft' THEN NULL ELSE @SentAt END, CASE WHEN @Status = 'draft' THEN NULL ELSE @Customer END,
                @Paid, 'test', @SentAt, @SentAt)
            """, new { Id = id, TenantId = tenantId, Status = status, Total = totalMinor, Paid = paidMinor, DueOn = dueOn, SentAt = Noon.AddDays(-40), Customer = customer })),
            CancellationToken.None);
        return id;
    }

    private static Task<List<(int Step, int DaysOverdue)>> StepsAsync(ReportTestBed bed, Guid tenantId, Guid invoice) =>
        bed.Database.InTenantAsync(tenantId, async scope => (await scope.Connection.QueryAsync<(int, int)>(scope.Command(
            "SELECT step::int, days_overdue FROM customer_invoice_reminders WHERE invoice_id = @Id ORDER BY step", new { Id = invoice }))).ToList(),
            CancellationToken.None);

    // Polls until at least `expected` mails arrived (maildev stores them asynchronously); the reminders table is the exact count.
    private static async Task<List<JsonElement>> MailsAsync(string to, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<JsonElement> found;
        do
        {
            var mails = await Maildev.GetFromJsonAsync<JsonElement>("/api/email");
            found = mails.EnumerateArray()
                .Where(m => m.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == to)
                    && m.GetProperty("subject").GetString()!.Contains("is overdue", StringComparison.Ordinal))
                .ToList();
            if (found.Count >= expected)
            {
                return found;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return found;
    }
}
