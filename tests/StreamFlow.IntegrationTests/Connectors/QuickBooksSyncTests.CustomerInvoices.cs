using StreamFlow.Core.Audit;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connectors.QuickBooks;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Invoicing;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>The business's own invoices to its customers (field operations) booked in QuickBooks: pushed once, voided there, paid back.</summary>
public sealed partial class QuickBooksSyncTests
{
    [Fact]
    public async Task A_sent_customer_invoice_is_booked_once_with_its_lines_and_a_QuickBooks_payment_marks_it_paid()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        var wonLead = await WonLeadAsync(tenant, "Dana", "900.00");
        var sent = await SentInvoiceAsync(tenant, wonLead.Id, "Dana Reyes");
        var walkIn = await SentInvoiceAsync(tenant, null, "Harbor Cafe");
        await DraftInvoiceAsync(tenant, null, "Draft Only");

        var first = await _bed.SyncAsync(tenant, connection.Id);
        var second = await _bed.SyncAsync(tenant, connection.Id);
        var booked = (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer_invoice", sent.Id, default))!;
        _qb.Pay(booked.ExternalId, 129.90m);
        var paying = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", "completed", "completed"), (first.Status, second.Status, paying.Status));
        // The field-ops business books its customer invoices, not its won leads: CI-1 and CI-2, never SF-….
        Assert.Equal(["CI-1", "CI-2"], _qb.Creates.Where(c => c.Entity == "Invoice").Select(c => c.DocNumber).Order(StringComparer.Ordinal));
        Assert.Equal(2, _qb.Creates.Count(c => c.Entity == "Customer"));
        var invoice = _qb.Invoices().Single(i => i["DocNumber"]!.ToString() == "CI-1");
        var customerOfLead = (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer", wonLead.Id, default))!.ExternalId;
        Assert.Equal(customerOfLead, invoice["CustomerRef"]!["value"]!.ToString());
        var line = Assert.Single(invoice["Line"]!.AsArray())!;
        Assert.Equal((129.90m - 9.90m, 1.5m, 80m, "TAX"), (line["Amount"]!.GetValue<decimal>(), line["SalesItemLineDetail"]!["Qty"]!.GetValue<decimal>(),
            line["SalesItemLineDetail"]!["UnitPrice"]!.GetValue<decimal>(), line["SalesItemLineDetail"]!["TaxCodeRef"]!["value"]!.ToString()));
        Assert.Equal(9.90m, invoice["TxnTaxDetail"]!["TotalTax"]!.GetValue<decimal>());
        Assert.Equal("Harbor Cafe", _qb.Customer(_qb.Invoices().Single(i => i["DocNumber"]!.ToString() == "CI-2")["CustomerRef"]!["value"]!.ToString())["DisplayName"]!.ToString());
        Assert.Equal(0, second.LeadsCreated);
        Assert.Equal(CustomerInvoiceStatus.Paid, (await InvoiceAsync(tenant, sent.Id)).Status);
        Assert.Equal(CustomerInvoiceStatus.Sent, (await InvoiceAsync(tenant, walkIn.Id)).Status);
        Assert.Equal("paid", (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer_invoice", sent.Id, default))!.RemoteStatus);
    }

    [Fact]
    public async Task A_voided_customer_invoice_is_voided_in_QuickBooks_and_a_stale_SyncToken_is_re_read_first()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        var sent = await SentInvoiceAsync(tenant, null, "Lakeside Clinic");
        await _bed.SyncAsync(tenant, connection.Id);
        var booked = (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer_invoice", sent.Id, default))!;
        _qb.EditInvoiceInQuickBooks(booked.ExternalId, "Customer called about the date");
        var voided = await _bed.Get<CustomerInvoiceService>().ChangeStatusAsync(Actor(tenant), sent.Id, new CustomerInvoiceStatusChange("void", "Billed twice"), default);
        Assert.True(voided.Succeeded, voided.Problem?.ToString());

        var sync = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, "completed", 0), (sync.Status, sync.LeadsUpdated, again.Status, again.LeadsUpdated));
        Assert.Equal([booked.ExternalId], _qb.Voids);
        var invoice = _qb.Invoices().Single(i => i["Id"]!.ToString() == booked.ExternalId);
        Assert.Equal(("Voided", 0m, "2"), (invoice["PrivateNote"]!.ToString(), invoice["Balance"]!.GetValue<decimal>(), invoice["SyncToken"]!.ToString()));
        var record = (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer_invoice", sent.Id, default))!;
        Assert.Equal(("voided", "2"), (record.RemoteStatus, record.SyncToken));
        var log = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, sync.Id.ToString(), 100, null, default)).Value!;
        Assert.Contains("stale SyncToken", Assert.Single(log.Items).Reason, StringComparison.Ordinal);
        Assert.Equal(2, _qb.Server.LogEntries.Count(e => e.RequestMessage.Method == "POST" && e.RequestMessage.Query!.TryGetValue("operation", out var op) && op.Single() == "void"));
    }

    [Fact]
    public async Task A_customer_invoice_whose_answer_was_lost_is_sent_again_with_the_same_requestid_and_booked_once()
    {
        var (tenant, user) = await TenantAsync();
        var connection = await ConnectedAsync(tenant, user);
        var sent = await SentInvoiceAsync(tenant, null, "Northside Gym");
        _qb.LoseNextAnswer("invoice");

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal("completed", sync.Status);
        Assert.True(sync.Retries >= 1);
        var posts = _qb.Server.LogEntries.Where(e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path.EndsWith("/invoice", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, posts.Count);
        Assert.Single(posts.Select(p => p.RequestMessage.Query!["requestid"].Single()).Distinct());
        Assert.Single(_qb.Creates, c => c.Entity == "Invoice");
        Assert.Single(_qb.Invoices());
        Assert.Equal(_qb.Invoices().Single()["Id"]!.ToString(),
            (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "customer_invoice", sent.Id, default))!.ExternalId);
    }

    private static FieldActor Actor(Guid tenant) => new(tenant, Guid.Empty, "test", CanManage: true, RequestOrigin.None);

    private async Task<CustomerInvoice> InvoiceAsync(Guid tenant, Guid id) => (await _bed.Get<CustomerInvoiceService>().GetAsync(Actor(tenant), id, default)).Value!;

    private async Task<CustomerInvoice> SentInvoiceAsync(Guid tenant, Guid? leadId, string customer)
    {
        var draft = await DraftInvoiceAsync(tenant, leadId, customer);
        var sent = await _bed.Get<CustomerInvoiceService>().ChangeStatusAsync(Actor(tenant), draft.Id, new CustomerInvoiceStatusChange("sent", null), default);
        Assert.True(sent.Succeeded, sent.Problem?.ToString());
        return sent.Value!;
    }

    // A completed 90-minute visit by one technician, billed as labour at 80.00 an hour, taxed 8.25 %: 120.00 + 9.90.
    private async Task<CustomerInvoice> DraftInvoiceAsync(Guid tenant, Guid? leadId, string customer)
    {
        var actor = Actor(tenant);
        var job = await _bed.Get<JobService>().CreateAsync(actor, new JobInput(leadId, customer, "AC repair", "100 Congress Ave, Austin, TX", new Location(30.27, -97.74), null, null,
            new VisitInput(DateTimeOffset.Parse("2027-03-10T09:00:00Z"), DateTimeOffset.Parse("2027-03-10T10:00:00Z"), 90, [], [], null)), default);
        Assert.True(job.Succeeded, job.Problem?.ToString());
        var technician = await _bed.Get<TechnicianService>().CreateAsync(actor, new TechnicianInput(null, $"Ivy {customer}", [], [], new Location(30.27, -97.74),
            new WorkingHours("08:00", "17:00"), Money.Of(40m, "USD"), true), default);
        Assert.True(technician.Succeeded, technician.Problem?.ToString());
        var visit = job.Value!.Visits.Single().Id;
        var visits = _bed.Get<VisitService>();
        Assert.True((await visits.AssignAsync(actor, visit, new AssignmentInput([technician.Value!.Id], null, null), default)).Succeeded);
        foreach (var status in new[] { "en_route", "on_site", "completed" })
        {
            var moved = await visits.ChangeStatusAsync(actor, visit, new StatusChange(status, null), default);
            Assert.True(moved.Succeeded, moved.Problem?.ToString());
        }

        var draft = await _bed.Get<CustomerInvoiceService>().DraftAsync(actor, new CustomerInvoiceInput([visit], Money.Of(80m, "USD"), 8.25m, true, 14, null), default);
        Assert.True(draft.Succeeded, draft.Problem?.ToString());
        return draft.Value!;
    }
}
