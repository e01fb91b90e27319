using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Federation;

/// <summary>One client business as a member instance reports it to its hub: counts and sums, no personal data.</summary>
public sealed record FederationClientSummary(
    Guid TenantId, string Name, string Industry, string Status, long ActiveUsers, long LeadsCreated, long LeadsWon, long LeadsLost,
    IReadOnlyDictionary<string, decimal> WonRevenue, DateTimeOffset? LastSignInAt);

/// <summary>What a member answers its hub: the window the figures cover and each client's summary.</summary>
public sealed record FederationClientSummaries(DateTimeOffset Since, DateTimeOffset AsOf, IReadOnlyList<FederationClientSummary> Clients);

/// <summary>Aggregates of every client business on this instance, for a federation hub that proved who it is.</summary>
public sealed class FederationSummaryService(StreamFlowDatabase database, IOptions<FederationOptions> options, TimeProvider time)
{
    public async Task<FederationClientSummaries> SummariesAsync(CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var since = asOf - options.Value.SummaryWindow;
        var rows = await database.InPlatformAsync(scope => FederationSummaryStore.ListAsync(scope, since, asOf), cancellationToken);
        return new FederationClientSummaries(since, asOf, rows.Select(r => new FederationClientSummary(
            r.TenantId, r.TenantName, r.Industry, r.TenantStatus, r.ActiveUsers, r.LeadsCreated, r.LeadsWon, r.LeadsLost,
            JsonSerializer.Deserialize<Dictionary<string, decimal>>(r.WonRevenue) ?? [], r.LastSignInAt)).ToList());
    }
}
