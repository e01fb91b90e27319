using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Search;

internal sealed record StoredHit(string Kind, Guid RecordId, string Title, string? Subtitle, bool IsOpen, DateTime UpdatedAt, int MatchClass, float Similarity);

/// <summary>The universal search (infra/db/functions/search_records.sql), in the caller's tenant.</summary>
internal static class SearchStore
{
    // A search is interactive: it gives up rather than hold a connection (the caller answers 503 with Retry-After).
    private const string LimitSql = """
        SELECT set_config('statement_timeout', '1500ms', true), set_config('pg_trgm.word_similarity_threshold', '0.5', true)
        """;

    private const string SearchSql = """
        SELECT hit_kind AS Kind, hit_record_id AS RecordId, hit_title AS Title, hit_subtitle AS Subtitle, hit_is_open AS IsOpen,
               hit_updated_at AS UpdatedAt, hit_match_class AS MatchClass, hit_similarity AS Similarity
        FROM search_records(@Term, @LikeTerm, @Kinds, @Limit)
        ORDER BY hit_match_class DESC, hit_is_open DESC, hit_similarity DESC, hit_updated_at DESC
        """;

    private const string RefreshWordsSql = "SELECT search_words_refresh(@MaxDocuments)";

    /// <summary>How many queued records the dictionary took (infra/db/functions/search_words_refresh.sql); 0 when another refresh runs.</summary>
    public static Task<int> RefreshWordsAsync(DbTransactionScope scope, int maxDocuments) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(RefreshWordsSql, new { MaxDocuments = maxDocuments }));

    public static async Task<IReadOnlyList<StoredHit>> SearchAsync(DbTransactionScope scope, SearchTerm term, string[] kinds, int limit)
    {
        await scope.Connection.ExecuteAsync(scope.Command(LimitSql));
        return [.. await scope.Connection.QueryAsync<StoredHit>(scope.Command(SearchSql, new { Term = term.Text, LikeTerm = term.LikeEscaped, Kinds = kinds, Limit = limit }))];
    }
}
