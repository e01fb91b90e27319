using System.Globalization;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Billing.Stripe;
using StreamFlow.Core.Database;
using StreamFlow.Core.Hosting;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Billing.Payments;

/// <summary>
/// The Core services wired as the app wires them (AddStreamFlowCore) over the real database and maildev, with extra
/// settings (Stripe pointed at a <see cref="FakeStripe"/>, dunning days) and a clock the test moves.
/// </summary>
internal sealed class PaymentsTestHost : IAsyncDisposable
{
    public const string WebhookSecret = "whsec_test_payments_0123456789";

    private readonly ServiceProvider _provider;

    private PaymentsTestHost(ServiceProvider provider, FakeTimeProvider time)
    {
        _provider = provider;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public StreamFlowDatabase Database => Get<StreamFlowDatabase>();

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public static PaymentsTestHost Start(
        TestServices services, FakeStripe? stripe = null, IReadOnlyDictionary<string, string?>? settings = null, DateTimeOffset? now = null)
    {
        var values = new Dictionary<string, string?> { ["Stripe:WebhookSecret"] = WebhookSecret };
        if (stripe is not null)
        {
            values["Stripe:SecretKey"] = "sk_test_fake";
            values["Stripe:ApiBase"] = stripe.BaseUrl;
            values["Stripe:MaxNetworkRetries"] = "0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddConfiguration(services.Configuration).AddInMemoryCollection(values).Build();
        var time = new FakeTimeProvider(now ?? DateTimeOffset.UtcNow);
        var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddStreamFlowCore(configuration)
            .AddSingleton<TimeProvider>(time)
            .BuildServiceProvider();
        return new PaymentsTestHost(provider, time);
    }

    public async Task<TestClient> CreateClientAsync()
    {
        var slug = $"pay-{Guid.NewGuid():N}"[..24];
        var owner = $"owner@{slug}.example.com";
        var name = $"Client {slug}";
        var created = await Get<TenantService>().CreateAsync(
            new CreateTenantRequest(name, slug, "hvac", new TenantOwner(owner, "Olive Owner", "a long enough password")), "test", RequestOrigin.None, CancellationToken.None);
        Assert.True(created.Succeeded, created.Problem?.Detail);
        return new TestClient(created.Value.Tenant.Id, name, owner);
    }

    /// <summary>
    /// A finalized (open) invoice, inserted as the billing cycle would leave it: a draft with its lines, then numbered
    /// and finalized — as the application role, in the tenant's transaction. Lines are (type, amount); the total is
    /// their sum plus <paramref name="tax"/>.
    /// </summary>
    public async Task<TestInvoice> CreateFinalizedInvoiceAsync(
        Guid tenantId, DateTimeOffset dueAt, decimal tax = 0m, string currency = "USD", params (string Type, decimal Amount)[] lines)
    {
        if (lines.Length == 0)
        {
            lines = [("base_fee", 499m)];
        }

        var id = Guid.CreateVersion7();
        var number = $"INV-T{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture)}";
        // A period of its own per invoice: (tenant, period_start) is unique. From 2200 on, clear of the years the
        // revenue analytics tests read (the database is shared by the collection).
        var periodStart = new DateOnly(2200, 1, 1).AddDays(Random.Shared.Next(0, 36_000));
        var subtotal = lines.Where(l => l.Amount > 0).Sum(l => l.Amount);
        var discount = -lines.Where(l => l.Amount < 0).Sum(l => l.Amount);
        var total = subtotal - discount + tax;
        var now = Time.GetUtcNow();
        await Database.InTenantAsync(tenantId, async scope =>
        {
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO invoices (id, tenant_id, period_start, period_end, currency, status, subtotal, discount_total, tax_rate, tax_total, total, created_at, updated_at)
                VALUES (@id, @tenantId, @periodStart, @periodEnd, @currency, 'draft', @subtotal, @discount, 0.08, @tax, @total, @now, @now)
                """, new { id, tenantId, periodStart, periodEnd = periodStart.AddMonths(1), currency, subtotal, discount, tax, total, now }));
            for (var i = 0; i < lines.Length; i++)
            {
                await scope.Connection.ExecuteAsync(scope.Command("""
                    INSERT INTO invoice_lines (id, tenant_id, invoice_id, position, line_type, description, quantity, unit_amount, amount, period_start, period_end)
                    VALUES (@lineId, @tenantId, @id, @position, @type, @description, 1, @amount, @amount, @periodStart, @periodEnd)
                    """, new { lineId = Guid.CreateVersion7(), tenantId, id, position = i + 1, type = lines[i].Type, description = $"{lines[i].Type} line", amount = lines[i].Amount, periodStart, periodEnd = periodStart.AddMonths(1) }));
            }

            return await scope.Connection.ExecuteAsync(scope.Command("""
                UPDATE invoices SET status = 'open', number = @number, finalized_at = @now, issued_at = @now, due_at = @dueAt, updated_at = @now WHERE id = @id
                """, new { id, number, now, dueAt }));
        }, CancellationToken.None);
        return new TestInvoice(id, number, total);
    }

    public Task<T> ScalarAsync<T>(Guid tenantId, string sql, object? parameters = null) =>
        Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteScalarAsync<T>(scope.Command(sql, parameters)), CancellationToken.None)!;

    public Task<Invoice?> InvoiceAsync(Guid tenantId, Guid invoiceId) =>
        Database.InTenantAsync(tenantId, scope => InvoiceStore.GetAsync(scope, invoiceId), CancellationToken.None);

    public Task<long> EventCountAsync(Guid tenantId, Guid invoiceId, string kind) =>
        ScalarAsync<long>(tenantId, "SELECT count(*) FROM invoice_events WHERE invoice_id = @invoiceId AND kind = @kind", new { invoiceId, kind });

    public Task<long> OutboxCountAsync(Guid tenantId, string eventType, Guid invoiceId) =>
        ScalarAsync<long>(tenantId, "SELECT count(*) FROM webhook_messages WHERE event_type = @eventType AND payload ->> 'invoiceId' = @invoiceId",
            new { eventType, invoiceId = invoiceId.ToString() });

    public IInvoicePaymentGateway Gateway => Get<IInvoicePaymentGateway>();

    public StripeWebhookService Webhooks => Get<StripeWebhookService>();

    public InvoicePaymentService Payments => Get<InvoicePaymentService>();

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}

internal sealed record TestClient(Guid TenantId, string Name, string OwnerEmail);

internal sealed record TestInvoice(Guid Id, string Number, decimal Total);
