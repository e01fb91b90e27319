using System.Globalization;
using ScottPlot;

namespace StreamFlow.Core.Reports;

/// <summary>A chart as an inline image: the HTML refers to it as <c>cid:{ContentId}</c>.</summary>
public sealed record ChartImage(string ContentId, string FileName, string Title, byte[] Png, int Width, int Height);

/// <summary>Draws the report's charts as PNG with ScottPlot (SkiaSharp underneath, no display needed).</summary>
internal static class ReportCharts
{
    public const int Width = 640;
    public const int Height = 280;
    private const int MaxSourceBars = 8;

    public static IReadOnlyList<ChartImage> Draw(ReportSummary report) =>
    [
        LeadsBySource(report),
        Pipeline(report),
        Revenue(report),
    ];

    private static ChartImage LeadsBySource(ReportSummary report)
    {
        var sources = report.NewLeads.BySource;
        var shown = sources.Take(MaxSourceBars).Select(s => (Label: s.Source, s.Count)).ToList();
        if (sources.Count > MaxSourceBars)
        {
            shown.Add(("other", sources.Skip(MaxSourceBars).Sum(s => s.Count)));
        }

        return Bars("leads-by-source", "New leads by source", shown, "no new leads in this period");
    }

    private static ChartImage Pipeline(ReportSummary report) =>
        Bars("pipeline-by-stage", "Leads by pipeline stage (now)", report.Pipeline.Stages.Select(s => (s.Name, s.Count)).ToList(), "no leads in the pipeline");

    private static ChartImage Revenue(ReportSummary report)
    {
        var plot = NewPlot($"Won revenue per day ({report.Currency}) and 30-day forecast");
        var history = report.Forecast.RecentHistory;
        if (history.Count > 0)
        {
            var actual = plot.Add.ScatterLine(history.Select(p => p.Date.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray(), history.Select(p => (double)p.Amount).ToArray());
            actual.LegendText = "won";
        }

        if (report.Forecast.Daily.Count > 0)
        {
            var forecastX = report.Forecast.Daily.Select(p => p.Date.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray();
            var predicted = plot.Add.ScatterLine(forecastX, report.Forecast.Daily.Select(p => (double)p.Amount).ToArray());
            predicted.LinePattern = LinePattern.Dashed;
            predicted.LegendText = $"forecast ({report.Forecast.Method})";
        }
        else
        {
            plot.Add.Annotation("too little history for a forecast");
        }

        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Margins(bottom: 0, top: 0.2);
        plot.ShowLegend(Alignment.UpperLeft);
        return Render(plot, "won-revenue", "Won revenue and forecast");
    }

    private static ChartImage Bars(string id, string title, IReadOnlyList<(string Label, int Count)> bars, string emptyText)
    {
        var plot = NewPlot(title);
        if (bars.Count == 0)
        {
            plot.Add.Annotation(emptyText);
        }
        else
        {
            var series = plot.Add.Bars(bars.Select(b => (double)b.Count).ToArray());
            foreach (var bar in series.Bars)
            {
                bar.Label = bar.Value.ToString("0", CultureInfo.InvariantCulture);
            }

            series.ValueLabelStyle.FontSize = 12;
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), bars.Select(b => Shorten(b.Label)).ToArray());
            // Room above the tallest bar for its value label.
            plot.Axes.Margins(bottom: 0, top: 0.15);
        }

        return Render(plot, id, title);
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Title(title, size: 14);
        return plot;
    }

    private static ChartImage Render(Plot plot, string id, string title) =>
        new(id, $"{id}.png", title, plot.GetImageBytes(Width, Height, ImageFormat.Png), Width, Height);

    private static string Shorten(string label) => label.Length <= 14 ? label : label[..13] + "…";
}
