using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Database;
using StreamFlow.Core.Outbox;
using StreamFlow.Orchestrations.Billing;
using StreamFlow.Orchestrations.Outbox;

namespace StreamFlow.IntegrationTests.Billing;

[Collection(ServicesCollection.Name)]
public sealed class BillingCycleTests(TestServices services) : IAsyncLifetime
{
    private BillingTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await BillingTestBed.StartAsync(services);

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_billing_run_bills_the_period_from_pricing_and_usage()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 1)) with { SeatPrice = "30.00", IncludedLeads = 10, LeadPrice = "2.00" });
        await _bed.AddLeadsAsync(tenant, 15, new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
        await _bed.AddAiUsageAsync(tenant, 4.5m, new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero));

        var metadata = await _bed.RunNovemberAsync(tenant);
        var result = metadata.ReadOutputAs<BillingRunResult>()!;
        var invoice = (await _bed.Database.InTenantAsync(tenant, scope => InvoiceStore.GetAsync(scope, result.InvoiceId!.Value), CancellationToken.None))!;

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        // One owner seat all month (30 seat-days × 30.00 / 30), 5 leads over 10 at 2.00, 4.50 USD of AI.
        Assert.Equal(
            [(InvoiceLineType.BaseFee, "300.00"), (InvoiceLineType.Seats, "30.00"), (InvoiceLineType.LeadOverage, "10.00"), (InvoiceLineType.AiUsage, "4.50")],
            invoice.Lines.Select(l => (l.LineType, l.Amount.Amount)));
        Assert.Equal(("344.50", InvoiceStatus.Open), (invoice.Total.Amount, invoice.Status));
        Assert.Equal(BillingTestBed.Now.AddDays(14), invoice.DueAt);
    }

    [Fact]
    public async Task Running_the_billing_twice_gives_one_invoice_one_email_and_one_event()
    {
        var (tenant, owner) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));

        var first = await _bed.RunNovemberAsync(tenant);
        await _bed.Client.PurgeInstanceAsync(first.InstanceId);
        var second = await _bed.RunNovemberAsync(tenant);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, second.RuntimeStatus);
        Assert.Equal(first.ReadOutputAs<BillingRunResult>()!.Number, second.ReadOutputAs<BillingRunResult>()!.Number);
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoices"));
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM webhook_messages WHERE event_type = 'invoice.created'"));
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoice_events WHERE kind = 'emailed'"));
        Assert.Single(await BillingTestBed.MailsToAsync(owner));
    }

    [Fact]
    public async Task Starting_a_run_that_exists_starts_nothing()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        var run = new BillingRunRequest(tenant, BillingTestBed.November.Start, BillingTestBed.November.End);

        var first = await _bed.Get<BillingRunLauncher>().StartAsync(_bed.Client, run, CancellationToken.None);
        var second = await _bed.Get<BillingRunLauncher>().StartAsync(_bed.Client, run, CancellationToken.None);

        Assert.Equal(($"billing-{tenant:N}-20261101", true), (first.InstanceId, first.Started));
        Assert.False(second.Started);
    }

    [Fact]
    public async Task A_run_asked_for_by_the_provider_is_committed_without_the_durable_backend_and_started_once_by_the_dispatcher()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        var run = new BillingRunRequest(tenant, BillingTestBed.November.Start, BillingTestBed.November.End);
        // A task hub of the test's own: no other test's dispatcher takes this run, and this one takes no other's.
        var hub = $"BillingRun{Guid.NewGuid():N}"[..24];
        var operations = new PlatformOperations(_bed.Database, Options.Create(new WorkOutboxOptions { TaskHub = hub }));
        var launcher = new BillingRunLauncher(_bed.Get<BillingCycleService>(), operations);
        var dispatcher = new WorkOutboxDispatcher(_bed.Database, Options.Create(new WorkOutboxOptions { TaskHub = hub, ClaimLease = TimeSpan.FromSeconds(1) }),
            NullLogger<WorkOutboxDispatcher>.Instance);

        var instanceId = await launcher.CommitAsync(run, CancellationToken.None);
        var startedWhileDown = await dispatcher.DispatchPendingAsync(new UnreachableBackend(), CancellationToken.None);
        var waiting = await operations.FindAsync(instanceId, CancellationToken.None);
        var absentWhileDown = await _bed.Client.GetInstanceAsync(instanceId);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedWhenBack = await dispatcher.DispatchPendingAsync(new DurableWorkStarter(_bed.Client, NullLogger.Instance), CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var completed = await _bed.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        // Asked again: armed again, and the dispatcher finds the run there and starts nothing new.
        Assert.Equal(instanceId, await launcher.CommitAsync(run, CancellationToken.None));
        var startedAgain = await dispatcher.DispatchPendingAsync(new DurableWorkStarter(_bed.Client, NullLogger.Instance), CancellationToken.None);
        var after = await _bed.Client.GetInstanceAsync(instanceId);

        Assert.Equal($"billing-{tenant:N}-20261101", instanceId);
        Assert.Equal((0, (DateTimeOffset?)null, true), (startedWhileDown, waiting!.StartedAt, absentWhileDown is null));
        Assert.Equal(1, startedWhenBack);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, completed.RuntimeStatus);
        Assert.Equal(1, startedAgain);
        Assert.Equal((OrchestrationRuntimeStatus.Completed, completed.CreatedAt), (after!.RuntimeStatus, after.CreatedAt));
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoices"));
    }

    /// <summary>A starter whose durable backend does not answer: nothing starts (as DurableWorkStarter answers then).</summary>
    private sealed class UnreachableBackend : IWorkStarter
    {
        public Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<long>>([]);
    }

    [Fact]
    public async Task A_crash_after_finalizing_resumes_to_the_same_invoice_and_number()
    {
        var (tenant, owner) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        var cycle = _bed.Get<BillingCycleService>();
        var run = new BillingRunRequest(tenant, BillingTestBed.November.Start, BillingTestBed.November.End);

        // The first attempt gets as far as finalizing, then the process dies.
        await cycle.CollectUsageAsync(run, CancellationToken.None);
        var draft = await cycle.PrepareDraftAsync(run, CancellationToken.None);
        var finalized = await cycle.FinalizeAsync(tenant, draft.InvoiceId!.Value, CancellationToken.None);
        var resumed = await _bed.RunNovemberAsync(tenant);

        var result = resumed.ReadOutputAs<BillingRunResult>()!;
        Assert.Equal((draft.InvoiceId, finalized.Number), (result.InvoiceId, result.Number));
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM webhook_messages WHERE event_type = 'invoice.created'"));
        Assert.Single(await BillingTestBed.MailsToAsync(owner));
        await AssertNumbersHaveNoGapsAsync();
    }

    [Fact]
    public async Task A_step_that_fails_after_finalizing_is_retried_without_a_second_number()
    {
        var (tenant, owner) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        _bed.Payments.FailuresLeft = 1;

        var metadata = await _bed.RunNovemberAsync(tenant);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(2, _bed.Payments.Calls);
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoices WHERE number IS NOT NULL"));
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoice_events WHERE kind = 'stripe_submitted'"));
        Assert.Single(await BillingTestBed.MailsToAsync(owner));
        await AssertNumbersHaveNoGapsAsync();
    }

    [Fact]
    public async Task A_refused_collection_is_not_retried_and_the_invoice_is_still_emailed()
    {
        var (tenant, owner) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        _bed.Payments.Refuses = true;

        var metadata = await _bed.RunNovemberAsync(tenant);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal(1, _bed.Payments.Calls);
        Assert.Equal(0, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoice_events WHERE kind = 'stripe_submitted'"));
        var mail = Assert.Single(await BillingTestBed.MailsToAsync(owner));
        Assert.DoesNotContain("https://pay.example.test/", mail.GetProperty("html").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_started_again_resumes_to_one_invoice()
    {
        var (tenant, owner) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        _bed.Payments.FailuresLeft = 5;

        var failed = await _bed.RunNovemberAsync(tenant);
        var restarted = await _bed.RunNovemberAsync(tenant);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, restarted.RuntimeStatus);
        Assert.Equal(1, await _bed.InTenantAsync<long>(tenant, "SELECT count(*) FROM invoices WHERE number IS NOT NULL"));
        Assert.Single(await BillingTestBed.MailsToAsync(owner));
    }

    [Fact]
    public async Task Invoice_numbers_are_sequential_across_clients()
    {
        var numbers = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (tenant, _) = await _bed.CreateTenantAsync();
            await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
            var number = (await _bed.RunNovemberAsync(tenant)).ReadOutputAs<BillingRunResult>()!.Number!;
            numbers.Add(long.Parse(number["INV-".Length..], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(3, numbers.Distinct().Count());
        await AssertNumbersHaveNoGapsAsync();
    }

    [Fact]
    public async Task The_emailed_invoice_is_the_stored_html_document()
    {
        var (tenant, owner) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));

        var result = (await _bed.RunNovemberAsync(tenant)).ReadOutputAs<BillingRunResult>()!;
        var path = await _bed.InTenantAsync<string>(tenant, "SELECT document_blob FROM invoices");
        var document = await _bed.Get<InvoiceDocuments>().OpenAsync(path, CancellationToken.None);
        var mail = Assert.Single(await BillingTestBed.MailsToAsync(owner));

        Assert.Equal(InvoiceDocuments.PathOf(tenant, result.InvoiceId!.Value), path);
        Assert.Contains($"Invoice {result.Number}", document, StringComparison.Ordinal);
        // 300.00 base fee and the owner's seat all month (30.00).
        Assert.Contains("330.00 USD", document, StringComparison.Ordinal);
        Assert.Contains(result.Number!, mail.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains("https://pay.example.test/", mail.GetProperty("html").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_timer_finds_clients_whose_period_is_complete_and_not_yet_invoiced()
    {
        var (billed, _) = await _bed.CreateTenantAsync();
        var (due, _) = await _bed.CreateTenantAsync();
        var (priceFromDecember, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(billed, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        await _bed.PriceAsync(due, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        await _bed.PriceAsync(priceFromDecember, BillingTestBed.MonthlyPrice(new DateOnly(2026, 12, 1)));
        await _bed.RunNovemberAsync(billed);

        var found = await _bed.Get<BillingCycleService>().FindDueAsync(CancellationToken.None);

        Assert.Contains(new BillingRunRequest(due, new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1)), found);
        Assert.DoesNotContain(found, r => r.TenantId == billed || r.TenantId == priceFromDecember);
    }

    private static async Task AssertNumbersHaveNoGapsAsync()
    {
        var (numbers, next) = await BillingTestBed.AllInvoiceNumbersAsync();
        Assert.Equal(Enumerable.Range(1, (int)next - 1).Select(n => (long)n), numbers);
    }
}
