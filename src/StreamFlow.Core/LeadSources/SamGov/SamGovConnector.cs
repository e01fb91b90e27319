using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.SamGov;

/// <summary>
/// SAM.gov contract opportunities as leads (kind <c>sam_gov</c>, credential <c>apiKey</c>). A sync searches the notices
/// posted since the last completed sync (the first reaches back <c>lookbackDays</c>; the window never exceeds the API's
/// one year), one query per filter combination, <see cref="SamGovOptions.PageSize"/> records per request with
/// <c>offset</c> paging, and writes every notice into its lead by noticeId. docs/lead-sources.md.
/// </summary>
public sealed class SamGovConnector(SamGovClient client, SourceLeadWriter writer, SourceAttachments attachments, IOptions<SamGovOptions> options, TimeProvider time) : IConnector
{
    public const string KindName = "sam_gov";
    public const string SourceName = "sam_gov";

    public string Kind => KindName;

    public JsonElement Validate(JsonElement settings, IReadOnlyDictionary<string, string>? credentials, bool creating, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var parsed = SamGovSettings.Validate(settings, errors);
        if (creating || credentials is not null)
        {
            var apiKey = credentials?.GetValueOrDefault("apiKey");
            if (string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > 200 || apiKey.Any(char.IsWhiteSpace))
            {
                errors.Add("credentials.apiKey", "is required: the Public API Key from SAM.gov's Account Details page.");
            }
        }

        return parsed?.ToJson() ?? settings;
    }

    public async Task<string> TestAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = SamGovSettings.Read(context.Settings);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var page = await client.SearchAsync(ApiKey(context), settings.Queries()[0], SamGovPageToken.Format(today.AddDays(-7)), SamGovPageToken.Format(today), 0, 1, cancellationToken);
        return $"SAM.gov accepted the key; {page.TotalRecords} notices were posted in the last 7 days for the first filter combination.";
    }

    public SyncPlan Plan(ConnectorContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = SamGovSettings.Read(context.Settings);
        var to = DateOnly.FromDateTime(now.UtcDateTime);
        var from = DateOnly.TryParseExact(context.Cursor, "yyyy-MM-dd", out var last) ? last : to.AddDays(-(settings.LookbackDays ?? SamGovSettings.DefaultLookbackDays));
        if (from < to.AddDays(-364))
        {
            from = to.AddDays(-364);
        }

        // The window starts on the last sync's day again: notices posted later that day are not missed; seen ones are unchanged.
        return new SyncPlan(new SamGovPageToken(SamGovPageToken.Format(from), SamGovPageToken.Format(to), 0, 0).Serialize(), to.ToString("yyyy-MM-dd"));
    }

    public async Task<ConnectorPage> SyncPageAsync(ConnectorContext context, string page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = SamGovSettings.Read(context.Settings);
        var queries = settings.Queries();
        var token = SamGovPageToken.Parse(page);
        var limit = Math.Clamp(options.Value.PageSize, 1, 1000);
        var found = await client.SearchAsync(ApiKey(context), queries[token.Query], token.PostedFrom, token.PostedTo, token.Offset, limit, cancellationToken);
        var notices = found.OpportunitiesData!;
        var counts = await StoreAsync(context, settings, notices, cancellationToken);

        var nextOffset = token.Offset + notices.Count;
        var next = notices.Count > 0 && nextOffset < found.TotalRecords
            ? token with { Offset = nextOffset }
            : token.Query + 1 < queries.Count ? token with { Query = token.Query + 1, Offset = 0 } : null;
        return counts with { NextPage = next?.Serialize() };
    }

    private async Task<ConnectorPage> StoreAsync(ConnectorContext context, SamGovSettings settings, IReadOnlyList<SamGovNotice> notices, CancellationToken cancellationToken)
    {
        var valid = notices.Where(n => !string.IsNullOrWhiteSpace(n.NoticeId) && n.NoticeId.Length <= 200)
            .GroupBy(n => n.NoticeId!, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var known = await writer.KnownAsync(context.TenantId, SourceName, valid.Select(n => n.NoticeId!).ToList(), cancellationToken);
        var outcomes = new ConcurrentBag<(SamGovNotice Notice, SourceWriteOutcome Outcome)>();
        // New notices: their leads created, scored and linked in batches, each batch one transaction.
        var fresh = valid.Where(n => !known.ContainsKey(n.NoticeId!)).ToList();
        var batchSize = Math.Clamp(options.Value.CreateBatchSize, 1, 1000);
        await Parallel.ForEachAsync(fresh.Chunk(batchSize), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.StoreParallelism), CancellationToken = cancellationToken },
            async (batch, token) =>
            {
                var written = await writer.WriteNewAsync(context.TenantId, SourceName, context.ConnectionId,
                    batch.Select(notice => SamGovNoticeLead.ToRecord(notice, settings.Source)).ToList(), token);
                for (var i = 0; i < batch.Length; i++)
                {
                    outcomes.Add((batch[i], written[i]));
                }
            });

        // Notices seen before: each refreshes its lead (an unchanged one writes nothing).
        await Parallel.ForEachAsync(valid.Where(n => known.ContainsKey(n.NoticeId!)),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.StoreParallelism), CancellationToken = cancellationToken },
            async (notice, token) =>
            {
                var record = SamGovNoticeLead.ToRecord(notice, settings.Source);
                outcomes.Add((notice, await writer.WriteAsync(context.TenantId, SourceName, context.ConnectionId, record, known[notice.NoticeId!], token)));
            });

        if (settings.FetchAttachments != false)
        {
            foreach (var (notice, outcome) in outcomes.Where(o => o.Outcome.LeadId is not null && o.Outcome.Write == SourceWrite.Created && o.Notice.ResourceLinks is { Count: > 0 }))
            {
                await attachments.RecordAsync(context.TenantId, outcome.LeadId!.Value, SourceName, notice.ResourceLinks!, cancellationToken);
            }
        }

        int Count(SourceWrite write) => outcomes.Count(o => o.Outcome.Write == write);
        return new ConnectorPage(notices.Count, Count(SourceWrite.Created), Count(SourceWrite.Updated), Count(SourceWrite.Unchanged) + Count(SourceWrite.Skipped),
            Count(SourceWrite.Failed) + notices.Count(n => string.IsNullOrWhiteSpace(n.NoticeId) || n.NoticeId.Length > 200), null);
    }

    private static string ApiKey(ConnectorContext context) =>
        context.Credentials.GetValueOrDefault("apiKey") ?? throw new ConnectorException(ConnectorFailure.Unauthorized, "The connection has no SAM.gov API key.");
}
