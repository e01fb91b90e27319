using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Search;

public sealed record SearchHit(string Type, Guid Id, string Title, string? Subtitle, string Link, bool Open, DateTimeOffset UpdatedAt, string Match);

public sealed record SearchResults(string Query, IReadOnlyList<string> Types, IReadOnlyList<SearchHit> Items);

/// <summary>
/// The command palette's back end: one query over the records of every kind the caller may read, typo-tolerant and
/// prefix-aware, ranked exact &gt; prefix &gt; infix &gt; fuzzy, open and recent first (docs/search.md).
/// </summary>
public sealed class SearchService(StreamFlowDatabase database)
{
    private static readonly string[] MatchNames = ["", "fuzzy", "contains", "prefix", "exact"];
    private const int RefreshBatch = 20_000;

    public async Task<Result<SearchResults>> SearchAsync(ClientPrincipal principal, string? query, IReadOnlyList<string>? types, int limit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var term = SearchTerm.Normalize(query);
        if (term is null || term.Text.Length > SearchTerm.MaxLength)
        {
            errors.Add("q", $"A search is at most {SearchTerm.MaxLength} characters.");
        }
        else if (term.Text.Length < SearchTerm.MinLength)
        {
            errors.Add("q", $"Type at least {SearchTerm.MinLength} letters or digits to search.");
        }

        var unknown = (types ?? []).Where(type => SearchKind.Find(type) is null).ToList();
        if (unknown.Count > 0)
        {
            errors.Add("types", $"Unknown type(s) {string.Join(", ", unknown)}; one of {string.Join(", ", SearchKind.All.Select(k => k.Name))}.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var kinds = SearchKind.All
            .Where(kind => (types is not { Count: > 0 } || types.Contains(kind.Name)) && principal.Allows(kind.Permission))
            .Select(kind => kind.Name).ToArray();
        if (kinds.Length == 0)
        {
            return new SearchResults(term!.Text, [], []);
        }

        try
        {
            var hits = await database.InTenantAsync(principal.TenantId, scope => SearchStore.SearchAsync(scope, term!, kinds, limit), cancellationToken);
            return new SearchResults(term!.Text, kinds, [.. hits.Select(ToHit)]);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.QueryCanceled && !cancellationToken.IsCancellationRequested)
        {
            return new Problem(ProblemKind.Unavailable, "The search took too long; try a longer or more specific term.", RetryAfter: TimeSpan.FromSeconds(2));
        }
    }

    private static SearchHit ToHit(StoredHit hit) => new(
        hit.Kind, hit.RecordId, hit.Title, hit.Subtitle, SearchKind.Find(hit.Kind)!.LinkTo(hit.RecordId), hit.IsOpen,
        new DateTimeOffset(DateTime.SpecifyKind(hit.UpdatedAt, DateTimeKind.Utc)), MatchNames[hit.MatchClass]);

    /// <summary>
    /// Takes the words of the records written since the last refresh into their businesses' dictionaries, in batches;
    /// returns how many records it read.
    /// </summary>
    public async Task<int> RefreshWordsAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int taken;
        do
        {
            taken = await database.InPlatformAsync(scope => SearchStore.RefreshWordsAsync(scope, RefreshBatch), cancellationToken);
            total += taken;
        }
        while (taken == RefreshBatch);
        return total;
    }
}
