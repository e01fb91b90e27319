using System.Text.RegularExpressions;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// Past work like this solicitation in the tenant's own leads: decided leads whose names and company, notes (sealed:
/// matched on their keyed word terms) or attributes share a word of the RFP's title or one of its NAICS codes. Amounts are
/// the won amounts in USD, the RFP's currency.
/// </summary>
internal static partial class RfpPricingHistoryStore
{
    private const int MaxKeywords = 10;

    private const string StatsSql = """
        WITH decided AS (
            SELECT outcome, won_amount, won_currency, lost_reason FROM leads
            WHERE deleted_at IS NULL AND outcome IS NOT NULL
              AND (@Everything OR (@Query <> '' AND (search_vector @@ websearch_to_tsquery('simple', @Query)
                                                     OR notes_terms && @NoteTerms
                                                     OR to_tsvector('simple', attributes::text) @@ websearch_to_tsquery('simple', @Query)))
                   OR attributes::text ILIKE ANY (@NaicsPatterns))
        ), won AS (
            SELECT won_amount FROM decided WHERE outcome = 'won' AND won_amount IS NOT NULL AND won_currency = 'USD'
        )
        SELECT (SELECT count(*) FROM decided WHERE outcome = 'won') AS Won,
               (SELECT count(*) FROM decided WHERE outcome = 'lost') AS Lost,
               (SELECT min(won_amount) FROM won) AS Minimum,
               (SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY won_amount) FROM won) AS LowerQuartile,
               (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY won_amount) FROM won) AS Median,
               (SELECT percentile_disc(0.75) WITHIN GROUP (ORDER BY won_amount) FROM won) AS UpperQuartile,
               (SELECT max(won_amount) FROM won) AS Maximum,
               (SELECT coalesce(array_agg(reason ORDER BY n DESC, reason), '{}') FROM (
                    SELECT lower(lost_reason) AS reason, count(*) AS n FROM decided
                    WHERE outcome = 'lost' AND lost_reason IS NOT NULL GROUP BY lower(lost_reason) ORDER BY n DESC, reason LIMIT 3) r) AS LostReasons
        """;

    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "and", "for", "with", "from", "this", "that", "services", "service", "request", "proposal", "proposals", "quote",
        "quotation", "solicitation", "contract", "project", "rfp", "rfq", "ifb", "invitation", "bid", "bids", "bidders", "notice",
        "combined", "synopsis", "provide", "providing", "support", "various", "new", "annual", "year", "years", "base", "option",
        "options", "department", "agency", "office", "county", "city", "state", "federal", "all", "per", "non", "other",
    };

    public static async Task<RfpPricingHistory> ReadAsync(DbTransactionScope scope, TenantKeys keys, RfpFacts facts)
    {
        var keywords = Keywords(facts.Title?.Value);
        var naics = facts.NaicsCodes.Select(code => code.Value).ToList();
        var matchedOn = keywords.Concat(naics.Select(code => $"NAICS {code}")).ToList();
        var similar = matchedOn.Count == 0 ? null : await StatsAsync(scope, keys, keywords, naics, everything: false);
        if (similar is { Won: > 0 } && similar.Median is not null)
        {
            return similar.ToHistory("similar", matchedOn);
        }

        var all = await StatsAsync(scope, keys, [], [], everything: true);
        // With no similar won work, the price range is from all won work; the counts still say how similar work went.
        return similar is null
            ? all.ToHistory("allWonWork", [])
            : all.ToHistory("allWonWork", matchedOn) with { Won = (int)similar.Won, Lost = (int)similar.Lost, WinRate = WinRate(similar.Won, similar.Lost), LostReasons = similar.LostReasons };
    }

    internal static IReadOnlyList<string> Keywords(string? title) =>
        title is null
            ? []
            : [.. Words().Matches(title).Select(m => m.Value.ToLowerInvariant()).Where(w => w.Length >= 3 && !StopWords.Contains(w) && !w.All(char.IsDigit))
                .Distinct().Take(MaxKeywords)];

    private static async Task<StatsRow> StatsAsync(DbTransactionScope scope, TenantKeys keys, IReadOnlyList<string> keywords, IReadOnlyList<string> naics, bool everything) =>
        await scope.Connection.QuerySingleAsync<StatsRow>(scope.Command(StatsSql, new
        {
            Everything = everything,
            Query = string.Join(" or ", keywords),
            NoteTerms = PersonalFields.NoteTerms(keys, string.Join(' ', keywords)) ?? [],
            NaicsPatterns = naics.Select(code => $"%{code}%").ToArray(),
        }));

    private static double? WinRate(long won, long lost) => won + lost == 0 ? null : Math.Round((double)won / (won + lost), 3);

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Words();

    private sealed record StatsRow
    {
        public long Won { get; init; }

        public long Lost { get; init; }

        public decimal? Minimum { get; init; }

        public decimal? LowerQuartile { get; init; }

        public decimal? Median { get; init; }

        public decimal? UpperQuartile { get; init; }

        public decimal? Maximum { get; init; }

        public string[] LostReasons { get; init; } = [];

        public RfpPricingHistory ToHistory(string basis, IReadOnlyList<string> matchedOn) => new(
            basis, matchedOn, (int)Won, (int)Lost, WinRate(Won, Lost), Usd(Minimum), Usd(LowerQuartile), Usd(Median), Usd(UpperQuartile), Usd(Maximum), LostReasons);

        private static Money? Usd(decimal? amount) => amount is { } value ? Money.Of(value, "USD") : null;
    }
}
