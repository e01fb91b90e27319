using System.Text.Json;
using Dapper;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Reports;

namespace StreamFlow.IntegrationTests.Reports;

/// <summary>
/// One Chicago business with leads on both sides of its local day boundaries: the daily report for Tuesday
/// 24 November 2026 (06:00Z to 06:00Z next day) must count exactly what happened in it.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class ReportNumbersTests(TestServices services) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private readonly ReportTestBed _bed = new(services, new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, Guid> _leads = [];
    private ReportSummary _report = null!;

    public async Task InitializeAsync()
    {
        var (tenantId, owner) = await _bed.CreateTenantAsync("America/Chicago");
        var actor = new LeadActor(tenantId, owner.Actor, CanAssign: true);
        var leads = _bed.Get<LeadService>();
        await OtherTenantWithTheSameSourcesAsync();

        await CreateAsync(leads, actor, "L0", "2026-11-23T12:00:00Z", "Web");
        await OutcomeAsync(leads, actor, "L0", "2026-11-23T18:00:00Z", new OutcomeInput("won", "400.00", "USD", null));
        await CreateAsync(leads, actor, "L1", "2026-11-24T07:00:00Z", "Referral", ("estimatedValue", "1500"));
        await NoteAsync(leads, actor, "L1", "2026-11-24T09:00:00Z");
        await CreateAsync(leads, actor, "L2", "2026-11-24T10:00:00Z", "Referral");
        await OutcomeAsync(leads, actor, "L2", "2026-11-24T12:00:00Z", new OutcomeInput("won", "1000.00", "USD", null));
        await CreateAsync(leads, actor, "L3", "2026-11-24T20:00:00Z", null);
        await OutcomeAsync(leads, actor, "L3", "2026-11-24T21:00:00Z", new OutcomeInput("lost", null, null, "went with a competitor"));
        await CreateAsync(leads, actor, "L4", "2026-11-25T05:59:00Z", "Web");
        await OutcomeAsync(leads, actor, "L4", "2026-11-25T05:59:30Z", new OutcomeInput("won", "300.00", "EUR", null));
        await CreateAsync(leads, actor, "L5", "2026-11-25T06:30:00Z", "Web", ("value", "\"250.50\""));
        await NoteAsync(leads, actor, "L5", "2026-11-27T10:00:00Z");
        await SetTierAsync(tenantId, "L1", "hot");
        await SetTierAsync(tenantId, "L2", "warm");
        await SetTierAsync(tenantId, "L3", "cold");
        await SetTierAsync(tenantId, "L5", "hot");
        await CompletedVisitsAsync(tenantId, ("2026-11-24T15:00:00Z", null), ("2026-11-24T22:00:00Z", 25), ("2026-11-25T07:00:00Z", null));

        _bed.Clock.SetUtcNow(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        _report = await _bed.Get<ReportGenerator>().GenerateAsync(tenantId, ReportPeriodKind.Day, Day, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _bed.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void The_period_is_the_local_day_in_the_tenants_time_zone()
    {
        Assert.Equal("America/Chicago", _report.Period.TimeZone);
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T06:00:00Z", System.Globalization.CultureInfo.InvariantCulture), _report.Period.StartUtc);
    }

    [Fact]
    public void New_leads_are_counted_by_source_against_the_day_before()
    {
        Assert.Equal(4, _report.NewLeads.Total);
        Assert.Equal(1, _report.NewLeads.PreviousTotal);
        Assert.Equal(["(none) 1/0", "Referral 2/0", "Web 1/1"], _report.NewLeads.BySource.Select(s => $"{s.Source} {s.Count}/{s.PreviousCount}").Order());
    }

    [Fact]
    public void The_tier_mix_is_of_the_leads_created_in_the_period()
    {
        // The fixture sets three tiers by hand; the fourth lead keeps the tier the rules gave it when it was created.
        Assert.Equal(new TierMix(Hot: 1, Warm: 2, Cold: 1, Unscored: 0), _report.Tiers);
    }

    [Fact]
    public void Conversion_is_won_over_decided_outcomes_in_the_period()
    {
        Assert.Equal(new ConversionReport(Won: 2, Lost: 1, Rate: 0.6667, PreviousWon: 1, PreviousLost: 0, PreviousRate: 1.0), _report.Conversion);
    }

    [Fact]
    public void Won_revenue_is_in_the_main_currency_with_other_currencies_apart()
    {
        Assert.Equal("USD", _report.Currency);
        Assert.Equal(Money.Of(1000m, "USD"), _report.WonRevenue.Amount);
        Assert.Equal(Money.Of(400m, "USD"), _report.WonRevenue.PreviousAmount);
        Assert.Equal(1.5, _report.WonRevenue.Change);
        Assert.Equal([Money.Of(300m, "EUR")], _report.WonRevenue.OtherCurrencies);
    }

    [Fact]
    public void Pipeline_value_is_realized_for_won_and_estimated_from_attributes_for_open_stages()
    {
        var won = _report.Pipeline.Stages.Single(s => s.Kind == "won");
        var lost = _report.Pipeline.Stages.Single(s => s.Kind == "lost");

        Assert.Equal(2, _report.Pipeline.OpenLeads);
        Assert.Equal(Money.Of(1750.50m, "USD"), _report.Pipeline.OpenEstimatedValue);
        Assert.Equal(2, _report.Pipeline.Stages.Where(s => s.Kind == "open").Sum(s => s.EstimatedCount));
        Assert.Equal((3, Money.Of(1400m, "USD")), (won.Count, won.RealizedValue));
        Assert.Equal(1, lost.Count);
    }

    [Fact]
    public void Only_the_hot_lead_nobody_touched_for_48_hours_is_stale()
    {
        Assert.Equal(1, _report.StaleHotLeads.Count);
        Assert.Equal(_leads["L1"], Assert.Single(_report.StaleHotLeads.Leads).Id);
        Assert.Equal("L1 Lead", _report.StaleHotLeads.Leads[0].Name);
    }

    [Fact]
    public void Response_time_runs_from_creation_to_the_first_user_activity()
    {
        // L1 a note after 2 h, L2 won after 2 h, L3 lost after 1 h, L4 won after 30 s; L0 (the day before) after 6 h.
        Assert.Equal(new ResponseTimeReport(NewLeads: 4, Responded: 4, AverageHours: 1.25, PreviousAverageHours: 6.0), _report.ResponseTime);
    }

    [Fact]
    public void Ai_spend_comes_from_the_ledger_and_the_forecast_says_there_is_too_little_history()
    {
        Assert.True(_report.AiSpend.Available);
        Assert.Equal("0.00", _report.AiSpend.Spent!.Amount);
        Assert.NotNull(_report.AiSpend.Budget);
        Assert.Equal(ForecastMethod.TooLittleHistory, _report.Forecast.Method);
    }

    [Fact]
    public void Field_work_counts_the_visits_completed_in_the_period_and_those_reported_late()
    {
        Assert.Equal(new FieldWorkReport(2, 1, 0.5, 0, Money.Of(0m, "USD"), 0, Money.Of(0m, "USD"), Technicians: _report.FieldWork?.Technicians), _report.FieldWork);
        Assert.Empty(_report.FieldWork!.Technicians!);
    }

    [Fact]
    public void The_owners_report_says_there_is_no_model_yet_and_places_the_business_among_its_peers_or_says_why_not()
    {
        Assert.NotNull(_report.ModelHealth);
        Assert.Null(_report.ModelHealth.ModelVersion);
        Assert.NotNull(_report.Peers);
        Assert.Equal("hvac", _report.Peers.Industry);
        Assert.NotEmpty(_report.Peers.Figures);
        Assert.All(_report.Peers.Figures, f => Assert.True(f.PercentileRank is not null || f.Suppressed is not null || f.Value is null, f.Figure));
    }

    [Fact]
    public async Task The_mailed_report_shows_field_work_the_model_and_the_peers()
    {
        var rendered = await new ReportRenderer().RenderAsync(_report, CancellationToken.None);

        Assert.Contains("2 visits completed, 1 reported running late (on time: 50%)", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("No trained model yet", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("Against your peers (hvac", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("field_work,visits_reported_late,,1", System.Text.Encoding.UTF8.GetString(rendered.Csv), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_owners_report_leads_its_insight_with_the_source_that_brought_the_most_won_revenue()
    {
        Assert.NotNull(_report.Insight);
        Assert.Equal("Referral", _report.Insight.TopSource?.Source);
        Assert.Equal(1000m, _report.Insight.TopSource?.WonRevenue);
        Assert.Null(_report.Insight.WeakestSource);

        var rendered = await new ReportRenderer().RenderAsync(_report, CancellationToken.None);
        Assert.Contains("Referral brought the most won revenue: 1,000.00 USD from 1 won of 1 decided (100%)", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("insight,top_source_won_revenue,Referral,1000", System.Text.Encoding.UTF8.GetString(rendered.Csv), StringComparison.Ordinal);
    }

    private Task CompletedVisitsAsync(Guid tenantId, params (string CompletedAt, int? LateMinutes)[] visits) =>
        _bed.Database.InTenantAsync(tenantId, async scope =>
        {
            var jobId = Guid.CreateVersion7();
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO jobs (id, tenant_id, customer_name, title, address, latitude, longitude, created_at, updated_at)
                VALUES (@Id, @TenantId, 'Rita Customer', 'Furnace tune-up', '1 Main St', 41.88, -87.63, now(), now())
                """, new { Id = jobId, TenantId = tenantId }));
            foreach (var (completedAt, late) in visits)
            {
                var at = DateTimeOffset.Parse(completedAt, System.Globalization.CultureInfo.InvariantCulture);
                await scope.Connection.ExecuteAsync(scope.Command("""
                    INSERT INTO visits (id, tenant_id, job_id, window_start, window_end, duration_minutes, required_skills, required_certifications,
                                        status, created_at, updated_at, status_changed_at, late_minutes)
                    VALUES (@Id, @TenantId, @JobId, @Start, @End, 60, '{}', '{}', 'completed', @Start, @At, @At, @Late)
                    """, new { Id = Guid.CreateVersion7(), TenantId = tenantId, JobId = jobId, Start = at.AddHours(-3), End = at.AddHours(-1), At = at, Late = late }));
            }

            return true;
        }, CancellationToken.None);

    private async Task CreateAsync(LeadService leads, LeadActor actor, string name, string at, string? source, params (string Key, string Json)[] attributes)
    {
        _bed.Clock.SetUtcNow(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));
        var input = new LeadInput(name, "Lead", null, $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com", null, source, null, null, null, null, null, null,
            attributes.ToDictionary(a => a.Key, a => JsonDocument.Parse(a.Json).RootElement.Clone()), null, null);
        var created = await leads.CreateAsync(actor, input, mergeDuplicate: false, CancellationToken.None);
        _leads[name] = created.Value.Lead.Id;
    }

    private async Task OutcomeAsync(LeadService leads, LeadActor actor, string name, string at, OutcomeInput outcome)
    {
        _bed.Clock.SetUtcNow(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));
        var empty = new LeadInput(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        Assert.True((await leads.UpdateAsync(actor, _leads[name], new LeadUpdate(empty, outcome), CancellationToken.None)).Succeeded);
    }

    private async Task NoteAsync(LeadService leads, LeadActor actor, string name, string at)
    {
        _bed.Clock.SetUtcNow(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True((await leads.AddNoteAsync(actor, _leads[name], "Called back", CancellationToken.None)).Succeeded);
    }

    private Task SetTierAsync(Guid tenantId, string name, string tier) =>
        _bed.Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(
            "UPDATE leads SET score_tier = @Tier, score_status = 'scored' WHERE id = @Id", new { Tier = tier, Id = _leads[name] })), CancellationToken.None);

    private async Task OtherTenantWithTheSameSourcesAsync()
    {
        var (tenantId, owner) = await _bed.CreateTenantAsync("America/Chicago");
        var actor = new LeadActor(tenantId, owner.Actor, CanAssign: true);
        var leads = _bed.Get<LeadService>();
        _bed.Clock.SetUtcNow(DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var source in new[] { "Referral", "Web", "Referral" })
        {
            var input = new LeadInput("Other", "Tenant", null, null, null, source, null, null, null, null, null, null, null, null, null);
            var created = await leads.CreateAsync(actor, input, mergeDuplicate: false, CancellationToken.None);
            var empty = new LeadInput(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
            await leads.UpdateAsync(actor, created.Value.Lead.Id, new LeadUpdate(empty, new OutcomeInput("won", "99999.00", "USD", null)), CancellationToken.None);
        }
    }
}
