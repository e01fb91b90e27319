using StreamFlow.Core.Billing.Metering;

namespace StreamFlow.IntegrationTests.Billing;

[Collection(ServicesCollection.Name)]
public sealed class UsageMeteringTests(TestServices services) : IAsyncLifetime
{
    private static readonly DateOnly From = new(2026, 11, 1);
    private static readonly DateOnly To = new(2026, 12, 1);

    private BillingTestBed _bed = null!;

    private UsageMeter Meter => _bed.Get<UsageMeter>();

    public async Task InitializeAsync() => _bed = await BillingTestBed.StartAsync(services);

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task An_event_recorded_twice_with_the_same_key_counts_once()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        var usage = new UsageEvent("lead.created:one", UsageMetrics.LeadsCreated, 1, null, At(3));

        var first = await Meter.RecordAsync(tenant, usage, CancellationToken.None);
        var second = await Meter.RecordAsync(tenant, usage with { Quantity = 5 }, CancellationToken.None);

        Assert.Equal((true, false), (first, second));
        Assert.Equal(1m, await Meter.AggregateAsync(tenant, UsageMetrics.LeadsCreated, From, To, null, CancellationToken.None));
    }

    [Theory]
    [InlineData(ChargeModel.Count, 4)]
    [InlineData(ChargeModel.Sum, 10)]
    [InlineData(ChargeModel.Max, 4)]
    [InlineData(ChargeModel.Unique, 2)]
    public async Task Events_add_up_by_the_charge_model(ChargeModel model, decimal expected)
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        foreach (var (key, quantity, unique) in new[] { ("a", 1m, "u1"), ("b", 2m, "u2"), ("c", 3m, "u1"), ("d", 4m, "u2") })
        {
            await Meter.RecordAsync(tenant, new UsageEvent(key, "test_metric", quantity, unique, At(5)), CancellationToken.None);
        }

        await Meter.RecordAsync(tenant, new UsageEvent("outside", "test_metric", 100m, "u3", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)), CancellationToken.None);

        Assert.Equal(expected, await Meter.AggregateAsync(tenant, "test_metric", From, To, model, CancellationToken.None));
    }

    [Fact]
    public async Task Collecting_derives_seat_days_leads_and_ai_spend_from_the_records()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.AddUserAsync(tenant, $"late-{tenant:N}@example.com", "staff", new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));
        await _bed.AddLeadsAsync(tenant, 7, At(12));
        await _bed.AddAiUsageAsync(tenant, 1.25m, At(2));
        await _bed.AddAiUsageAsync(tenant, 0.75m, At(2).AddHours(5));

        await _bed.Get<UsageCollector>().CollectAsync(tenant, From, To, CancellationToken.None);

        // The owner all 30 days, the second user from the 21st: 10 days.
        Assert.Equal(40m, await Meter.AggregateAsync(tenant, UsageMetrics.Seats, From, To, null, CancellationToken.None));
        Assert.Equal(2m, await Meter.AggregateAsync(tenant, UsageMetrics.Seats, From, To, ChargeModel.Unique, CancellationToken.None));
        Assert.Equal(7m, await Meter.AggregateAsync(tenant, UsageMetrics.LeadsCreated, From, To, null, CancellationToken.None));
        Assert.Equal(2m, await Meter.AggregateAsync(tenant, UsageMetrics.AiBillableUsd, From, To, null, CancellationToken.None));
    }

    [Fact]
    public async Task Collecting_again_records_nothing_new()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.AddLeadsAsync(tenant, 3, At(12));
        var collector = _bed.Get<UsageCollector>();

        var first = await collector.CollectAsync(tenant, From, To, CancellationToken.None);
        var second = await collector.CollectAsync(tenant, From, To, CancellationToken.None);

        Assert.True(first.EventsRecorded > 0);
        Assert.Equal(0, second.EventsRecorded);
    }

    [Fact]
    public async Task Days_that_are_not_over_are_not_collected()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();

        var collected = await _bed.Get<UsageCollector>().CollectAsync(tenant, new DateOnly(2026, 12, 1), new DateOnly(2027, 1, 1), CancellationToken.None);

        Assert.Equal(new DateOnly(2026, 12, 2), collected.To);
    }

    private static DateTimeOffset At(int day) => new(2026, 11, day, 10, 0, 0, TimeSpan.Zero);
}
