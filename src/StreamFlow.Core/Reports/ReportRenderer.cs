using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using Fluid;
using StreamFlow.Core.Reports.Insights;

namespace StreamFlow.Core.Reports;

/// <summary>The report as it is mailed: subject, HTML and text bodies, inline chart images and the CSV of the numbers.</summary>
public sealed record RenderedReport(string Subject, string Html, string Text, IReadOnlyList<ChartImage> Charts, byte[] Csv, string CsvFileName);

/// <summary>
/// Renders a report from the Liquid templates in Templates/ (Fluid): the templates hold the layout, a view model
/// holds the formatted values, and the HTML encoder escapes every value (lead names and sources are user input).
/// </summary>
public sealed class ReportRenderer
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = new() { MemberAccessStrategy = UnsafeMemberAccessStrategy.Instance };
    private static readonly Lazy<IFluidTemplate> HtmlTemplate = new(() => Load("report.html.liquid"));
    private static readonly Lazy<IFluidTemplate> TextTemplate = new(() => Load("report.text.liquid"));

    public async Task<RenderedReport> RenderAsync(ReportSummary report, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var charts = ReportCharts.Draw(report);
        var view = ReportView.From(report, charts);
        var html = await HtmlTemplate.Value.RenderAsync(new TemplateContext(new { report = view }, Options), HtmlEncoder.Default);
        var text = await TextTemplate.Value.RenderAsync(new TemplateContext(new { report = view }, Options), NullEncoder.Default);
        var subject = $"{report.TenantName}: {view.Title.ToLowerInvariant()} for {view.PeriodLabel}";
        var csvName = $"report-{ReportPeriod.Name(report.Period.Kind)}-{report.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv";
        return new RenderedReport(subject, html, text, charts, ReportCsv.Write(report), csvName);
    }

    private static IFluidTemplate Load(string name)
    {
        var assembly = typeof(ReportRenderer).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("Reports.Templates." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return Parser.TryParse(reader.ReadToEnd(), out var template, out var error)
            ? template
            : throw new InvalidOperationException($"The report template {name} does not parse: {error}");
    }
}

internal sealed record ReportKpi(string Label, string Value, string Comparison);

internal sealed record ReportSourceRow(string Source, string Count, string Previous);

internal sealed record ReportStageRow(string Name, string Count, string Value);

internal sealed record ReportStaleRow(string Name, string Source, string Waiting);

/// <summary>A connection in the report: its state in words, when it last succeeded and how far behind it is.</summary>
internal sealed record ReportConnectionRow(string Name, string Kind, string State, string LastSuccess, string Behind, string? LastError);

/// <summary>One of the business's figures against its peers: its value, its rank and the cohort's median, or why the cohort is not shown.</summary>
internal sealed record ReportPeerRow(string Figure, string Value, string Standing);

internal sealed record ReportChartRef(string ContentId, string Title, int Width, int Height);

/// <summary>What the templates see: every value already formatted (invariant culture), nothing to compute.</summary>
internal sealed record ReportView(
    string TenantName,
    string Title,
    string PeriodLabel,
    string TimeZone,
    string GeneratedAt,
    IReadOnlyList<ReportKpi> Kpis,
    IReadOnlyList<ReportSourceRow> Sources,
    TierMix Tiers,
    IReadOnlyList<ReportStageRow> Stages,
    string OpenPipeline,
    int StaleCount,
    IReadOnlyList<ReportStaleRow> StaleLeads,
    string AiSpend,
    string ForecastTotal,
    string ForecastMethod,
    IReadOnlyList<ReportChartRef> Charts,
    IReadOnlyList<string> Definitions,
    IReadOnlyList<ReportConnectionRow>? Connections = null,
    IReadOnlyList<string>? FieldWork = null,
    IReadOnlyList<string>? ModelHealth = null,
    IReadOnlyList<ReportPeerRow>? Peers = null,
    string? PeerCohort = null,
    IReadOnlyList<string>? Insight = null)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static ReportView From(ReportSummary r, IReadOnlyList<ChartImage> charts)
    {
        var title = r.Period.Kind switch
        {
            ReportPeriodKind.Day => "Daily report",
            ReportPeriodKind.Week => "Weekly report",
            _ => "Monthly report",
        };
        var previousName = r.Period.Kind switch
        {
            ReportPeriodKind.Day => "the day before",
            ReportPeriodKind.Week => "the week before",
            _ => "the month before",
        };
        var kpis = new List<ReportKpi>
        {
            new("New leads", Count(r.NewLeads.Total), Compare(r.NewLeads.Total, r.NewLeads.PreviousTotal, previousName)),
            new("Conversion (won ÷ decided)", Percent(r.Conversion.Rate), $"{Count(r.Conversion.Won)} won, {Count(r.Conversion.Lost)} lost; {Percent(r.Conversion.PreviousRate)} {previousName}"),
            new("Won revenue", Money(r.WonRevenue.Amount), Compare(Amount(r.WonRevenue.Amount), Amount(r.WonRevenue.PreviousAmount), previousName, Money(r.WonRevenue.PreviousAmount))
                + (r.WonRevenue.OtherCurrencies.Count == 0 ? "" : "; also " + string.Join(", ", r.WonRevenue.OtherCurrencies.Select(Money)))),
            new("Average response time", Hours(r.ResponseTime.AverageHours),
                $"{Count(r.ResponseTime.Responded)} of {Count(r.ResponseTime.NewLeads)} new leads answered; {Hours(r.ResponseTime.PreviousAverageHours)} {previousName}"),
        };
        return new ReportView(
            r.TenantName,
            title,
            LabelOf(r.Period),
            r.Period.TimeZone,
            TimeZoneInfo.ConvertTime(r.GeneratedAt, r.Period.Zone).ToString("yyyy-MM-dd HH:mm", Invariant),
            kpis,
            r.NewLeads.BySource.Select(s => new ReportSourceRow(s.Source, Count(s.Count), Count(s.PreviousCount))).ToList(),
            r.Tiers,
            r.Pipeline.Stages.Select(s => new ReportStageRow(s.Name, Count(s.Count), StageValue(s))).ToList(),
            $"{Count(r.Pipeline.OpenLeads)} open leads, estimated {Money(r.Pipeline.OpenEstimatedValue)}",
            r.StaleHotLeads.Count,
            r.StaleHotLeads.Leads.Select(l => new ReportStaleRow(l.Name, l.Source ?? "(none)", Waiting(r.GeneratedAt - (l.LastTouchedAt ?? l.CreatedAt)))).ToList(),
            r.AiSpend.Available
                ? $"{Money(r.AiSpend.Spent)} of {(r.AiSpend.Budget is null ? "no set budget" : Money(r.AiSpend.Budget))}"
                : r.AiSpend.Note ?? "not available",
            r.Forecast.Total is { } total ? Money(Kernel.Money.Of(total, r.Currency)) : "no forecast",
            r.Forecast.Explanation,
            charts.Select(c => new ReportChartRef(c.ContentId, c.Title, c.Width, c.Height)).ToList(),
            [
                "Counts are of leads not deleted. New leads and the tier mix are leads created in the period; conversion and won revenue are outcomes decided in it.",
                $"Pipeline and stale hot leads are as of {TimeZoneInfo.ConvertTime(r.GeneratedAt, r.Period.Zone).ToString("yyyy-MM-dd HH:mm", Invariant)}. Open-stage value is the sum of the leads' estimatedValue (or value) attribute; the won stage shows realized won amounts.",
                "A response is the first thing a user did with a new lead other than creating it; stale hot leads are open hot leads that no user has touched for 48 hours.",
            ],
            (r.Connections ?? []).Select(c => new ReportConnectionRow(c.Name, c.Kind,
                c.ConsecutiveFailures > 0 ? $"{c.Health}, {Count(c.ConsecutiveFailures)} failed in a row" : c.Health,
                c.LastSuccessAt is { } at ? TimeZoneInfo.ConvertTime(at, r.Period.Zone).ToString("yyyy-MM-dd HH:mm", Invariant) : "never",
                Waiting(TimeSpan.FromSeconds(c.LagSeconds)), c.LastError is { Length: > 200 } error ? error[..200] : c.LastError)).ToList(),
            r.FieldWork is { } field
                ?
                [
                    $"{Count(field.VisitsCompleted)} visits completed, {Count(field.VisitsReportedLate)} reported running late (on time: {Percent(field.OnTimeRate)})",
                    $"{Count(field.QuotesSent)} quotes sent worth {Money(field.QuotedValue)}; {Count(field.QuotesApproved)} approved worth {Money(field.ApprovedValue)}",
                    $"{Count(field.OnTimeArrivals)} of {Count(field.Arrivals)} arrivals inside their window ({Percent(field.OnTimeArrivalRate)})",
                    .. (field.Technicians ?? []).Where(t => t.Visits > 0 || t.WorkingHours > 0).Select(t =>
                        $"{t.Name}: {t.VisitHours.ToString("0.#", Invariant)} of {t.WorkingHours.ToString("0.#", Invariant)} working hours on visits (utilisation {Percent(t.Utilisation)}), {Count(t.OnTimeArrivals)} of {Count(t.Arrivals)} arrivals on time"),
                ]
                : null,
            r.ModelHealth is { } model ? ModelLines(model) : null,
            r.Peers?.Figures.Select(f => new ReportPeerRow(FigureName(f.Figure), f.Value is { } v ? v.ToString("#,0.##", Invariant) : "n/a",
                f.Suppressed ?? $"higher than {f.PercentileRank?.ToString("0.#", Invariant) ?? "n/a"} % of peers (ties count half); peers' median {(f.Median is { } m ? m.ToString("#,0.##", Invariant) : "n/a")}")).ToList(),
            r.Peers is { } peers ? $"{peers.Industry}, {peers.SizeBand}" : null,
            r.Insight is { } insight ? InsightLines(insight) : null);
    }

    private static List<string> ModelLines(ModelHealthReport model) =>
    [.. new[]
    {
        model.ModelVersion is { } version
            ? $"Serving model v{version.ToString(Invariant)}, validation AUC {model.ValidationAuc?.ToString("0.000", Invariant) ?? "n/a"}"
            : model.IndustryPool is { } pool ? $"No model of your own yet: leads are scored from {pool}" : "No trained model yet: leads are scored by your rules",
        $"Since it was promoted: {Count(model.LiveOutcomes)} outcomes, live AUC {model.LiveAuc?.ToString("0.000", Invariant) ?? "n/a"} ({model.LiveAssessment})",
        model.ModelVersion is not null && model.IndustryPool is { } blended ? $"Blended with {blended}" : null,
        model.DriftingFeatures.Count == 0 ? "The leads look like the ones it learned from" : $"Leads have drifted on {string.Join(", ", model.DriftingFeatures)}",
        model.RetrainRecommended ? $"Retraining advised: {string.Join("; ", model.RetrainReasons)}" : "No retraining needed",
    }.OfType<string>()];

    private static List<string> InsightLines(InsightHighlights insight)
    {
        string Revenue(decimal amount) => Money(Kernel.Money.Of(amount, insight.Currency));
        var lines = new List<string>
        {
            insight.TopSource is { } top
                ? $"{top.Source} brought the most won revenue: {Revenue(top.WonRevenue)} from {Count(top.Won)} won of {Count(top.Decided)} decided ({Percent(top.Conversion)})"
                : "No won revenue in the last 365 days yet",
        };
        if (insight.WeakestSource is { } weakest)
        {
            lines.Add($"{weakest.Source} converts least: {Percent(weakest.Conversion)} of {Count(weakest.Decided)} decided leads");
        }

        if (insight.TopOwner is { } owner)
        {
            lines.Add($"{owner.OwnerName} won the most: {Revenue(owner.WonRevenue)} ({Count(owner.Won)} won)");
        }

        if (insight.SlowestStage is { } stage)
        {
            lines.Add($"Leads wait longest in {stage.Name}: {stage.MedianDays?.ToString("0.#", Invariant)} days at the median; {Count(stage.StuckNow)} there now for over twice that");
        }

        if (insight is { StrongestSeason: { } strong, WeakestSeason: { } weak })
        {
            var unit = insight.SeasonalityMethod.StartsWith("yearly", StringComparison.Ordinal) ? "month" : "weekday";
            lines.Add($"Strongest {unit} {strong.Period} ({strong.Index.ToString("0.00", Invariant)} × a typical {unit}), weakest {weak.Period} ({weak.Index.ToString("0.00", Invariant)} ×)");
        }

        lines.Add(insight.ForecastError is { } error
            ? $"The 30-day revenue forecast was off by {error.ToString("0.#", Invariant)} % on average over its last {Count(insight.ForecastChecks)} checks"
            : "The revenue forecast has no past month to be checked against yet");
        return lines;
    }

    private static string FigureName(string figure) => figure switch
    {
        "leadVolume" => "Lead volume",
        "firstContactHours" => "Hours to first contact",
        "conversionRate" => "Conversion rate",
        "wonRevenuePerLead" => "Won revenue per lead",
        "averageJobValue" => "Average job value",
        "aiSpendShare" => "AI spend share",
        _ => figure,
    };

    private static string LabelOf(ReportPeriod period) => period.Kind switch
    {
        ReportPeriodKind.Day => period.Start.ToString("dddd d MMMM yyyy", Invariant),
        ReportPeriodKind.Week => $"the week of {period.Start.ToString("d MMMM", Invariant)} to {period.End.AddDays(-1).ToString("d MMMM yyyy", Invariant)}",
        _ => period.Start.ToString("MMMM yyyy", Invariant),
    };

    private static string StageValue(StageValue stage) =>
        stage.RealizedValue is { } realized ? $"{Money(realized)} won"
        : stage.EstimatedValue is { } estimated ? $"{Money(estimated)} estimated ({Count(stage.EstimatedCount)} with an estimate)"
        : "";

    private static string Compare(decimal current, decimal previous, string previousName, string? previousText = null)
    {
        previousText ??= Count((int)previous);
        if (previous == 0)
        {
            return current == 0 ? $"none {previousName} either" : $"{previousText} {previousName}";
        }

        var change = (current - previous) / previous;
        return $"{(change >= 0 ? "▲" : "▼")} {Math.Abs(change).ToString("0%", Invariant)} against {previousText} {previousName}";
    }

    private static string Count(int value) => value.ToString("#,0", Invariant);

    private static string Percent(double? rate) => rate is { } r ? r.ToString("0.#%", Invariant) : "n/a";

    private static string Hours(double? hours) => hours is { } h ? h < 1 ? $"{Math.Round(h * 60).ToString("0", Invariant)} min" : $"{h.ToString("0.#", Invariant)} h" : "n/a";

    private static string Waiting(TimeSpan time) => time.TotalDays >= 2 ? $"{Math.Floor(time.TotalDays).ToString("0", Invariant)} days" : $"{Math.Floor(time.TotalHours).ToString("0", Invariant)} h";

    private static decimal Amount(Kernel.Money money) => decimal.Parse(money.Amount, Invariant);

    private static string Money(Kernel.Money? money) => money is null ? "n/a" : $"{Amount(money).ToString("#,0.00", Invariant)} {money.Currency}";
}
