using System.Text.Json;
using StreamFlow.Core.ProviderAudit;

namespace StreamFlow.UnitTests.ProviderAudit;

public sealed class ProviderAccessCsvTests
{
    [Fact]
    public void Cells_are_quoted_when_needed_and_formula_starts_are_defused()
    {
        var details = JsonDocument.Parse("""{"path":"/api/v1/x","status":200}""").RootElement;
        var report = new ProviderAccessReport(Guid.NewGuid(), new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 6),
        [
            new ProviderAccessEntry(42, new DateTimeOffset(2026, 12, 6, 9, 30, 0, TimeSpan.Zero), "provider:ops@example.com", "provider.request",
                "GET /api/v1/provider/tenants/{id:guid}/branding", "succeeded", "=HYPERLINK(\"x\")", "curl/8, like \"Gecko\"", details),
        ]);

        var lines = ProviderAccessLog.ToCsv(report).Split("\r\n");

        Assert.Equal("sequence,occurredAt,actor,action,target,outcome,ip,userAgent,details", lines[0]);
        Assert.Equal("42,2026-12-06T09:30:00.000000Z,provider:ops@example.com,provider.request,GET /api/v1/provider/tenants/{id:guid}/branding,succeeded,"
            + "\"'=HYPERLINK(\"\"x\"\")\",\"curl/8, like \"\"Gecko\"\"\",\"{\"\"path\"\":\"\"/api/v1/x\"\",\"\"status\"\":200}\"", lines[1]);
        Assert.Equal("", lines[2]);
    }
}
