using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests.Billing;

/// <summary>A line to seed: its type and amount (quantity and unit price follow from them unless given).</summary>
internal sealed record SeedLine(string LineType, decimal Amount, decimal Quantity = 1m, string? Description = null);

/// <summary>
/// The real services on a clock the test sets, with tenants made through the real TenantService and billing data
/// written with SQL as the app role in each tenant's transaction: the schema (0040) is the contract with the billing
/// cycle, whose finalization is built elsewhere in parallel.
/// </summary>
internal sealed class InvoiceSeedBed : IDisposable
{
    private readonly ServiceProvider _provider;

    public InvoiceSeedBed(TestServices services, DateTimeOffset now)
    {
        Clock = new FakeTimeProvider(now);
        _provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(services.Configuration)
            .AddStreamFlowFunctions(services.Configuration)
            .AddSingleton<TimeProvider>(Clock)
            .BuildServiceProvider();
    }

    public FakeTimeProvider Clock { get; }

    public StreamFlowDatabase Database => Get<StreamFlowDatabase>();

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public async Task<(Guid Id, string Name, string Slug)> CreateTenantAsync(string? name = null)
    {
        var slug = $"bil-{Guid.NewGuid():N}"[..20];
        name ??= $"Billing {slug}";
        var created = await Get<TenantService>().CreateAsync(
            new CreateTenantRequest(name, slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Olive Owner", "correct horse battery staple")),
            "test", new RequestOrigin(null, null), CancellationToken.None);
        return (created.Value!.Tenant.Id, name, slug);
    }

    public Task AddUserAsync(Guid tenantId, string status = "active") =>
        InTenantAsync(tenantId, """
            INSERT INTO users (id, tenant_id, email, name, role, status, created_at, updated_at)
            VALUES (@Id, @TenantId, @Email, 'A user', 'staff', @Status, now(), now())
            """, new { Id = Guid.CreateVersion7(), TenantId = tenantId, Email = $"u-{Guid.NewGuid():N}@example.com", Status = status });

    public async Task<Guid> AddPlanAsync(string code, string name)
    {
        var id = Guid.CreateVersion7();
        await Database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO billing_plans (id, code, name, currency, base_fee, seat_price, included_leads, lead_price, ai_markup_rate, created_at, updated_at)
            VALUES (@Id, @Code, @Name, 'USD', 100, 10, 100, 1, 0.2, now(), now())
            """, new { Id = id, Code = code, Name = name })), CancellationToken.None);
        return id;
    }

    public Task AddPricingAsync(
        Guid tenantId, DateOnly effectiveFrom, decimal baseFee, decimal seatPrice, string currency = "USD", Guid? planId = null, int billingDay = 1,
        string? discountKind = null, decimal? discountValue = null, DateOnly? discountEndsOn = null, DateOnly? trialEndsOn = null, DateTimeOffset? recordedAt = null) =>
        InTenantAsync(tenantId, """
            INSERT INTO tenant_pricing (id, tenant_id, effective_from, plan_id, currency, base_fee, seat_price, included_leads, lead_price,
                                        ai_markup_rate, discount_kind, discount_value, discount_ends_on, billing_day, trial_ends_on, tax_rate,
                                        recorded_at, recorded_by)
            VALUES (@Id, @TenantId, @EffectiveFrom, @PlanId, @Currency, @BaseFee, @SeatPrice, 500, 0.5, 0.25, @DiscountKind, @DiscountValue,
                    @DiscountEndsOn, @BillingDay, @TrialEndsOn, 0.1, @RecordedAt, 'test')
            """, new
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, EffectiveFrom = effectiveFrom, PlanId = planId, Currency = currency, BaseFee = baseFee,
            SeatPrice = seatPrice, DiscountKind = discountKind, DiscountValue = discountValue, DiscountEndsOn = discountEndsOn, BillingDay = (short)billingDay,
            TrialEndsOn = trialEndsOn, RecordedAt = recordedAt ?? Clock.GetUtcNow(),
        });

    public Task AddLeadAsync(Guid tenantId, DateTimeOffset createdAt) =>
        InTenantAsync(tenantId, "INSERT INTO leads (id, tenant_id, stage, created_at, updated_at) VALUES (@Id, @TenantId, 'new', @At, @At)",
            new { Id = Guid.CreateVersion7(), TenantId = tenantId, At = createdAt });

    public Task AddAiUsageAsync(Guid tenantId, DateTimeOffset at, decimal costUsd, decimal billableUsd) =>
        InTenantAsync(tenantId, """
            INSERT INTO ai_usage (id, tenant_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens, cost_usd,
                                  markup_rate, billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
            VALUES (@Id, @TenantId, 'assistant', 'gpt-test', 'test', 100, 0, 50, @Cost, 0.25, @Billable, false, false, 10, 'succeeded', @At)
            """, new { Id = Guid.CreateVersion7(), TenantId = tenantId, Cost = costUsd, Billable = billableUsd, At = at });

    public Task SetAiMonthlyLimitAsync(Guid tenantId, decimal monthlyLimitUsd) =>
        InTenantAsync(tenantId, """
            INSERT INTO ai_tenant_settings (tenant_id, monthly_limit_usd, markup_rate) VALUES (@TenantId, @Limit, 0.25)
            ON CONFLICT (tenant_id) DO UPDATE SET monthly_limit_usd = excluded.monthly_limit_usd
            """, new { TenantId = tenantId, Limit = monthlyLimitUsd });

    /// <summary>
    /// Writes an invoice the way the billing cycle does: a draft with its lines, then finalized (number, issue and due
    /// dates) into <paramref name="status"/>. A draft stays a draft. Totals follow from the lines and a 10% tax.
    /// </summary>
    public Task<SeededInvoice> AddInvoiceAsync(
        Guid tenantId, DateOnly periodStart, string status, IReadOnlyList<SeedLine> lines, string currency = "USD",
        DateTimeOffset? issuedAt = null, DateTimeOffset? dueAt = null, decimal creditedTotal = 0m, string? documentBlob = null) =>
        InvoiceSeed.AddAsync(Database, tenantId, periodStart, status, lines, currency, issuedAt, dueAt, creditedTotal, documentBlob);

    public void Dispose() => _provider.Dispose();

    private Task InTenantAsync(Guid tenantId, string sql, object parameters) =>
        Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(sql, parameters)), CancellationToken.None);
}

internal sealed record SeededInvoice(Guid Id, string? Number, decimal Subtotal, decimal DiscountTotal, decimal TaxTotal, decimal Total);

internal static class InvoiceSeed
{
    public const decimal TaxRate = 0.1m;

    public static Task<SeededInvoice> AddAsync(
        StreamFlowDatabase database, Guid tenantId, DateOnly periodStart, string status, IReadOnlyList<SeedLine> lines, string currency,
        DateTimeOffset? issuedAt, DateTimeOffset? dueAt, decimal creditedTotal, string? documentBlob)
    {
        var id = Guid.CreateVersion7();
        var periodEnd = periodStart.AddMonths(1);
        var subtotal = lines.Where(l => l.LineType != InvoiceLineType.Discount).Sum(l => l.Amount);
        var discount = lines.Where(l => l.LineType == InvoiceLineType.Discount).Sum(l => Math.Abs(l.Amount));
        var tax = decimal.Round((subtotal - discount) * TaxRate, 2, MidpointRounding.AwayFromZero);
        var total = subtotal - discount + tax;
        var number = status == InvoiceStatus.Draft ? null : $"INV-T{Guid.NewGuid():N}"[..18].ToUpperInvariant();
        var issued = issuedAt ?? new DateTimeOffset(periodEnd.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return database.InTenantAsync(tenantId, async scope =>
        {
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO invoices (id, tenant_id, period_start, period_end, currency, status, subtotal, discount_total, tax_rate, tax_total, total,
                                      created_at, updated_at)
                VALUES (@Id, @TenantId, @PeriodStart, @PeriodEnd, @Currency, 'draft', @Subtotal, @Discount, @TaxRate, @Tax, @Total, now(), now())
                """, new { Id = id, TenantId = tenantId, PeriodStart = periodStart, PeriodEnd = periodEnd, Currency = currency, Subtotal = subtotal, Discount = discount, TaxRate, Tax = tax, Total = total }));
            var position = 0;
            foreach (var line in lines)
            {
                await scope.Connection.ExecuteAsync(scope.Command("""
                    INSERT INTO invoice_lines (id, tenant_id, invoice_id, position, line_type, description, quantity, unit_amount, amount, period_start, period_end)
                    VALUES (@Id, @TenantId, @InvoiceId, @Position, @LineType, @Description, @Quantity, @UnitAmount, @Amount, @PeriodStart, @PeriodEnd)
                    """, new
                {
                    Id = Guid.CreateVersion7(), TenantId = tenantId, InvoiceId = id, Position = (short)++position, line.LineType,
                    Description = line.Description ?? line.LineType.Replace('_', ' '), line.Quantity, UnitAmount = line.Amount / line.Quantity,
                    Amount = line.LineType == InvoiceLineType.Discount ? -Math.Abs(line.Amount) : line.Amount, PeriodStart = periodStart, PeriodEnd = periodEnd,
                }));
            }

            if (status != InvoiceStatus.Draft)
            {
                await scope.Connection.ExecuteAsync(scope.Command("""
                    UPDATE invoices SET number = @Number, status = @Status, finalized_at = @Issued, issued_at = @Issued, due_at = @Due,
                                        paid_at = CASE WHEN @Status = 'paid' THEN @Issued END, credited_total = @Credited, document_blob = @DocumentBlob
                    WHERE id = @Id
                    """, new { Id = id, Number = number, Status = status, Issued = issued, Due = dueAt ?? issued.AddDays(14), Credited = creditedTotal, DocumentBlob = documentBlob }));
            }

            return new SeededInvoice(id, number, subtotal, discount, tax, total);
        }, CancellationToken.None);
    }
}
