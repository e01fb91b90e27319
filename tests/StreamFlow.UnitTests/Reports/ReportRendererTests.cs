using System.Buffers.Binary;
using System.Text;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Reports;

namespace StreamFlow.UnitTests.Reports;

public sealed class ReportRendererTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    internal static ReportSummary Sample(string leadName = "Dana Reyes", string source = "Referral")
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
        var period = ReportPeriod.Containing(ReportPeriodKind.Day, new DateOnly(2026, 11, 24), zone);
        var history = Enumerable.Range(0, 56).Select(i => new ForecastPoint(period.End.AddDays(i - 56), i % 7 < 5 ? 1000m : 0m)).ToList();
        var forecast = RevenueForecaster.Forecast(history.Select(p => p.Amount).Concat(history.Select(p => p.Amount)).ToArray(), period.End) with { RecentHistory = history };
        return new ReportSummary(
            Guid.NewGuid(), "Reyes Heating & Air", period, period.Previous(), period.EndUtc.AddHours(7), "USD",
            new NewLeadsReport(5, 3, [new SourceCount(source, 3, 1), new SourceCount("Web form", 2, 2)]),
            new TierMix(1, 2, 1, 1),
            new ConversionReport(2, 1, 0.6667, 1, 1, 0.5),
            new WonRevenueReport(Money.Of(2500m, "USD"), Money.Of(1000m, "USD"), 1.5, [Money.Of(300m, "EUR")]),
            new PipelineReport([new StageValue("new", "New", "open", 4, null, Money.Of(1200m, "USD"), 2), new StageValue("won", "Won", "won", 2, Money.Of(2500m, "USD"), null, 0)], 4, Money.Of(1200m, "USD")),
            new StaleHotLeadsReport(1, [new StaleLead(Guid.NewGuid(), leadName, source, period.StartUtc.AddDays(-3), null)]),
            new ResponseTimeReport(5, 3, 1.5, 2.25),
            AiSpend.NotAvailable("not yet"),
            forecast);
    }

    [Fact]
    public async Task Charts_are_png_images_of_the_stated_size()
    {
        var rendered = await new ReportRenderer().RenderAsync(Sample(), CancellationToken.None);

        Assert.Equal(3, rendered.Charts.Count);
        Assert.All(rendered.Charts, chart =>
        {
            Assert.Equal(PngSignature, chart.Png[..8]);
            Assert.Equal(ReportCharts.Width, BinaryPrimitives.ReadInt32BigEndian(chart.Png.AsSpan(16, 4)));
            Assert.Equal(ReportCharts.Height, BinaryPrimitives.ReadInt32BigEndian(chart.Png.AsSpan(20, 4)));
        });
    }

    [Fact]
    public async Task The_html_refers_to_every_chart_by_content_id()
    {
        var rendered = await new ReportRenderer().RenderAsync(Sample(), CancellationToken.None);

        Assert.All(rendered.Charts, chart => Assert.Contains($"src=\"cid:{chart.ContentId}\"", rendered.Html, StringComparison.Ordinal));
    }

    [Fact]
    public async Task User_input_in_the_html_is_escaped()
    {
        var rendered = await new ReportRenderer().RenderAsync(Sample(leadName: "<script>alert(1)</script>"), CancellationToken.None);

        Assert.DoesNotContain("<script>", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_has_one_row_per_number_with_quoted_text()
    {
        var rendered = await new ReportRenderer().RenderAsync(Sample(source: "Door, \"knock\""), CancellationToken.None);
        var lines = Encoding.UTF8.GetString(rendered.Csv).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(ReportCsv.Header, lines[0]);
        Assert.Contains("new_leads,total,,5", lines);
        Assert.Contains("won_revenue,amount,USD,2500.00", lines);
        Assert.Contains("new_leads_by_source,count,\"Door, \"\"knock\"\"\",3", lines);
    }

    [Fact]
    public async Task A_formula_in_a_lead_name_stays_text_in_the_csv()
    {
        var rendered = await new ReportRenderer().RenderAsync(Sample(leadName: "=HYPERLINK(\"x\")"), CancellationToken.None);

        Assert.Contains(",\"'=HYPERLINK(\"\"x\"\")\"", Encoding.UTF8.GetString(rendered.Csv), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_subject_names_the_business_and_the_period()
    {
        var rendered = await new ReportRenderer().RenderAsync(Sample(), CancellationToken.None);

        Assert.Equal("Reyes Heating & Air: daily report for Tuesday 24 November 2026", rendered.Subject);
    }
}
