using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.ProviderAudit;

/// <summary>One HTTP request of the provider system, as the request pipeline saw it end.</summary>
public sealed record ProviderRequest(string ProviderEmail, string Method, string Route, string Path, Guid? TenantId, int Status, string TraceId, RequestOrigin Origin);

/// <summary>One entry of a business's provider-access trail.</summary>
public sealed record ProviderAccessEntry(
    long Sequence, DateTimeOffset OccurredAt, string Actor, string Action, string? Target, string Outcome, string? Ip, string? UserAgent, JsonElement Details);

/// <summary>What the provider did with one business's data in a period: what a client who asks is given.</summary>
public sealed record ProviderAccessReport(Guid TenantId, DateOnly From, DateOnly To, IReadOnlyList<ProviderAccessEntry> Entries);

/// <summary>
/// Every request of the provider system is written to the hash-chained audit log with the provider's identity, the
/// route, the business it concerned, the time and the outcome (docs/provider-audit.md). The request pipeline calls
/// <see cref="RecordAsync"/> once per request, for every provider route, so no function can forget it; a request about
/// one business (<c>/api/v1/provider/tenants/{id}/…</c>) lands in that business's trail, others (lists across
/// businesses, the provider's own settings) in the platform's.
/// </summary>
public sealed class ProviderAccessLog(StreamFlowDatabase database, AuditLog audit)
{
    public const string Action = "provider.request";
    public const int MaxExportEntries = 10_000;
    public const int MaxExportDays = 366;

    public async Task RecordAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var details = new JsonObject
        {
            ["method"] = request.Method,
            ["route"] = request.Route,
            ["path"] = request.Path,
            ["status"] = request.Status,
            ["traceId"] = request.TraceId,
        };
        var tenantId = request.TenantId;
        if (tenantId is { } id && !await database.InPlatformAsync(scope => ProviderAccessStore.TenantExistsAsync(scope, id), cancellationToken))
        {
            // No such business (a 404): the entry cannot belong to its trail, so the platform's keeps the id asked for.
            details["tenantId"] = id.ToString();
            tenantId = null;
        }

        var outcome = request.Status switch
        {
            < 400 => AuditOutcome.Succeeded,
            < 500 => AuditOutcome.Refused,
            _ => AuditOutcome.Failed,
        };
        await audit.RecordAsync(new AuditEvent(AuditSystem.Provider, tenantId, $"provider:{request.ProviderEmail}", Action,
            $"{request.Method} {request.Route}", outcome, request.Origin, details), cancellationToken);
    }

    /// <summary>
    /// The provider's entries in one business's trail from <paramref name="from"/> to <paramref name="to"/> (whole UTC
    /// days, both included): every provider request about it and every change the provider made to it.
    /// </summary>
    public async Task<Result<ProviderAccessReport>> ExportAsync(Guid tenantId, DateOnly? from, DateOnly? to, DateOnly today, CancellationToken cancellationToken)
    {
        var last = to ?? today;
        var first = from ?? last.AddDays(-29);
        if (first > last)
        {
            return Problem.Validation("from", "must not be after to.");
        }

        if (last.DayNumber - first.DayNumber + 1 > MaxExportDays)
        {
            return Problem.Validation("to", $"the period may be at most {MaxExportDays} days.");
        }

        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = await database.InTenantAsync(tenantId, async scope =>
            await ProviderAccessStore.TenantExistsAsync(scope, tenantId) ? await ProviderAccessStore.EntriesAsync(scope, start, end, MaxExportEntries + 1) : null,
            cancellationToken);
        if (rows is null)
        {
            return Problem.NotFound("The business");
        }

        if (rows.Count > MaxExportEntries)
        {
            return new Problem(ProblemKind.Unprocessable, $"The period holds more than {MaxExportEntries} entries; ask for a shorter one.");
        }

        return new ProviderAccessReport(tenantId, first, last, rows.Select(r => new ProviderAccessEntry(
            r.Sequence, r.OccurredAt, r.Actor, r.Action, r.Target, r.Outcome, r.Ip, r.UserAgent, JsonDocument.Parse(r.Details).RootElement.Clone())).ToList());
    }

    /// <summary>The report as CSV (RFC 4180; cells that a spreadsheet would run as a formula are prefixed with ').</summary>
    public static string ToCsv(ProviderAccessReport report)
    {
        var csv = new StringBuilder("sequence,occurredAt,actor,action,target,outcome,ip,userAgent,details\r\n");
        foreach (var e in report.Entries)
        {
            csv.AppendJoin(',', new[]
            {
                e.Sequence.ToString(CultureInfo.InvariantCulture), e.OccurredAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
                e.Actor, e.Action, e.Target ?? "", e.Outcome, e.Ip ?? "", e.UserAgent ?? "", e.Details.GetRawText(),
            }.Select(Cell)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
