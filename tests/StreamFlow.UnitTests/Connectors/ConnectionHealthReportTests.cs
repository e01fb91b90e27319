using StreamFlow.Core.Reports;
using StreamFlow.UnitTests.Reports;

namespace StreamFlow.UnitTests.Connectors;

/// <summary>The owner's report shows each connection's health, last success, lag and failures in a row (docs/connectors.md).</summary>
public sealed class ConnectionHealthReportTests
{
    [Fact]
    public async Task The_report_has_a_connections_section_with_state_lag_and_the_last_error_escaped()
    {
        var sample = ReportRendererTests.Sample();
        var report = sample with
        {
            Connections =
            [
                new ReportConnection("Books", "quickbooks", "ok", sample.GeneratedAt.AddHours(-2), 7200, 0, null),
                new ReportConnection("Payroll", "adp_workforce_now", "error", null, 3 * 86400, 3, "ADP failed (503): <maintenance>"),
            ],
        };

        var rendered = await new ReportRenderer().RenderAsync(report, CancellationToken.None);

        Assert.Contains("Connections:", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("- Payroll (adp_workforce_now): error, 3 failed in a row; last success never, 3 days behind; last error: ADP failed (503): <maintenance>", rendered.Text,
            StringComparison.Ordinal);
        Assert.Contains("- Books (quickbooks): ok; last success", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("2 h behind", rendered.Text, StringComparison.Ordinal);
        Assert.Contains("&lt;maintenance&gt;", rendered.Html, StringComparison.Ordinal);
        var csv = System.Text.Encoding.UTF8.GetString(rendered.Csv);
        Assert.Contains("connections,consecutive_failures,Payroll,3", csv, StringComparison.Ordinal);
        Assert.Contains("connections,health,Books,ok", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_business_without_connections_gets_no_connections_section()
    {
        var rendered = await new ReportRenderer().RenderAsync(ReportRendererTests.Sample(), CancellationToken.None);

        Assert.DoesNotContain("Connections", rendered.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(">Connections<", rendered.Html, StringComparison.Ordinal);
    }
}
