using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Pricing;
using StreamFlow.Core.Database;
using StreamFlow.Functions.Hosting;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Billing;

namespace StreamFlow.IntegrationTests.Billing;

/// <summary>
/// Real PostgreSQL, Azurite and maildev, the billing orchestration in an in-process durable host, on a clock the
/// test sets: 2 December 2026, so November (billing day 1) is the last complete period.
/// </summary>
internal sealed class BillingTestBed : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    public static readonly BillingPeriod November = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));

    private static readonly HttpClient Maildev = new()
    {
        BaseAddress = new Uri(Environment.GetEnvironmentVariable("MAILDEV_API_URL")
            ?? throw new InvalidOperationException("MAILDEV_API_URL is not set: run the tests through ./test.sh.")),
    };

    private DurableTaskTestHost _host = null!;

    public FakeTimeProvider Clock { get; } = new(Now);

    public FlakyPayments Payments { get; } = new();

    public DurableTaskClient Client => _host.Client;

    public StreamFlowDatabase Database => Get<StreamFlowDatabase>();

    public static async Task<BillingTestBed> StartAsync(TestServices services, IDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(services.Configuration)
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var bed = new BillingTestBed();
        bed._host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.BillingCycle, () => new BillingCycleOrchestrator());
                registry.AddActivity(TaskNames.CollectBillingUsage, p => p.GetRequiredService<CollectBillingUsageActivity>());
                registry.AddActivity(TaskNames.PrepareInvoiceDraft, p => p.GetRequiredService<PrepareInvoiceDraftActivity>());
                registry.AddActivity(TaskNames.FinalizeInvoice, p => p.GetRequiredService<FinalizeInvoiceActivity>());
                registry.AddActivity(TaskNames.StoreInvoiceDocument, p => p.GetRequiredService<StoreInvoiceDocumentActivity>());
                registry.AddActivity(TaskNames.SubmitInvoiceForCollection, p => p.GetRequiredService<SubmitInvoiceForCollectionActivity>());
                registry.AddActivity(TaskNames.EmailInvoice, p => p.GetRequiredService<EmailInvoiceActivity>());
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = collection => collection
                    .AddLogging()
                    .AddSingleton<IConfiguration>(configuration)
                    .AddSingleton<IInvoicePaymentGateway>(bed.Payments)
                    .AddStreamFlowFunctions(configuration)
                    .AddSingleton<TimeProvider>(bed.Clock),
            });
        return bed;
    }

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>A client with an active owner (whose email address is returned), created directly in the database.</summary>
    public async Task<(Guid TenantId, string OwnerEmail)> CreateTenantAsync()
    {
        var tenantId = Guid.CreateVersion7();
        var slug = $"bill-{tenantId:N}"[..24];
        var owner = $"owner@{slug}.example.com";
        await Database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenantId, @slug, @name, 'hvac')",
            new { tenantId, slug, name = $"Client {slug}" })), CancellationToken.None);
        await AddUserAsync(tenantId, owner, "owner", new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero));
        return (tenantId, owner);
    }

    public Task AddUserAsync(Guid tenantId, string email, string role, DateTimeOffset createdAt) =>
        Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO users (id, tenant_id, email, name, role, status, created_at, updated_at)
            VALUES (@Id, @TenantId, @Email, 'A user', @Role, 'active', @CreatedAt, @CreatedAt)
            """, new { Id = Guid.CreateVersion7(), TenantId = tenantId, Email = email, Role = role, CreatedAt = createdAt })), CancellationToken.None);

    public Task AddLeadsAsync(Guid tenantId, int count, DateTimeOffset createdAt) =>
        Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO leads (id, tenant_id, first_name, stage, created_at, updated_at)
            SELECT gen_random_uuid(), @TenantId, 'Lead ' || n, 'new', @CreatedAt, @CreatedAt FROM generate_series(1, @Count) AS n
            """, new { TenantId = tenantId, Count = count, CreatedAt = createdAt })), CancellationToken.None);

    public Task AddAiUsageAsync(Guid tenantId, decimal billableUsd, DateTimeOffset occurredAt) =>
        Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO ai_usage (id, tenant_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens, cost_usd,
                                  markup_rate, billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
            VALUES (@Id, @TenantId, 'assistant', 'gpt-4o-mini', 'primary', 100, 0, 50, @Billable / 1.25, 0.25, @Billable, false, false, 120, 'succeeded', @OccurredAt)
            """, new { Id = Guid.CreateVersion7(), TenantId = tenantId, Billable = billableUsd, OccurredAt = occurredAt })), CancellationToken.None);

    public async Task PriceAsync(Guid tenantId, PricingChange change)
    {
        var result = await Get<TenantPricingService>().ChangeAsync(tenantId, change, "provider@example.test", CancellationToken.None);
        Assert.True(result.Succeeded, result.Problem?.ToString());
    }

    public static PricingChange MonthlyPrice(DateOnly from, string baseFee = "300.00") =>
        new(from, null, "USD", baseFee, "30.00", 100, "0.50", 25m, null, 1, null, null);

    /// <summary>Runs the client's billing for November to completion under its deterministic instance id.</summary>
    public async Task<OrchestrationMetadata> RunNovemberAsync(Guid tenantId)
    {
        var start = await Get<BillingRunLauncher>().StartAsync(Client, new BillingRunRequest(tenantId, November.Start, November.End), CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await Client.WaitForInstanceCompletionAsync(start.InstanceId, getInputsAndOutputs: true, timeout.Token);
    }

    public Task<T> InTenantAsync<T>(Guid tenantId, string sql, object? parameters = null) =>
        Database.InTenantAsync(tenantId, async scope => (await scope.Connection.ExecuteScalarAsync<T>(scope.Command(sql, parameters)))!, CancellationToken.None);

    /// <summary>Every invoice number in the database and the next one the sequence gives, read in one snapshot as the superuser.</summary>
    public static async Task<(IReadOnlyList<long> Numbers, long NextValue)> AllInvoiceNumbersAsync()
    {
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("Postgres__AdminConnectionString") is { Length: > 0 } admin
            ? new NpgsqlConnectionStringBuilder(admin) { Database = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("Postgres__AppConnectionString")).Database }.ConnectionString
            : throw new InvalidOperationException("Postgres__AdminConnectionString is not set: run the tests through ./test.sh."));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        // Other features' tests seed finalized invoices with INV-T… numbers outside the sequence; only the sequence's count.
        var numbers = (await connection.QueryAsync<string>("SELECT number FROM invoices WHERE number ~ '^INV-[0-9]+$'", transaction: transaction))
            .Select(n => long.Parse(n["INV-".Length..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        var next = await connection.ExecuteScalarAsync<long>("SELECT next_value FROM billing_number_sequences WHERE name = 'invoice'", transaction: transaction);
        return (numbers, next);
    }

    public static async Task<IReadOnlyList<JsonElement>> MailsToAsync(string address)
    {
        var mails = await Maildev.GetFromJsonAsync<JsonElement>("/api/email");
        return mails.EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), address, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A payment gateway that fails its first <see cref="FailuresLeft"/> calls, then submits.</summary>
    internal sealed class FlakyPayments : IInvoicePaymentGateway
    {
        private int _calls;

        public int FailuresLeft { get; set; }

        public bool Refuses { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public bool IsConfigured => true;

        public Task<InvoiceCollection> SubmitAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (Refuses)
            {
                throw new StreamFlow.Core.Billing.Payments.InvoiceCollectionRejectedException("The payment service refused the invoice (simulated).");
            }

            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new HttpRequestException("The payment service is down (simulated).");
            }

            return Task.FromResult(new InvoiceCollection(true, $"in_{invoiceId:N}", $"https://pay.example.test/{invoiceId:N}"));
        }
    }
}
