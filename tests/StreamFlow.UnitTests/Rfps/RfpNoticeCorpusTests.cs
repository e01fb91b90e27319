using System.Globalization;
using System.Text.Json;
using StreamFlow.Core.Rfps;
using Xunit.Abstractions;

namespace StreamFlow.UnitTests.Rfps;

/// <summary>
/// The deterministic pass on data/rfps/notices: solicitations in the wording agencies use (SF-1449, SF-33, SF-30,
/// sources sought, combined synopses, state, county, city and school-district RFPs), each with the facts a reader
/// finds in it (expected.json). Recall per fact must stay at or above 95 %, and a fact the notice does not state
/// (written as null) must not be invented.
/// </summary>
public sealed class RfpNoticeCorpusTests(ITestOutputHelper output)
{
    private const double RequiredRecall = 0.95;

    [Fact]
    public void Every_fact_is_found_in_at_least_95_percent_of_the_notices_that_state_it()
    {
        var score = RfpNoticeCorpus.Score(RfpNoticeCorpus.Load());

        foreach (var line in score.Report())
        {
            output.WriteLine(line);
        }

        Assert.True(score.Facts.Count >= 10, "the corpus scores at least ten kinds of fact");
        Assert.All(score.Facts, fact => Assert.True(
            fact.Recall >= RequiredRecall && fact.Invented == 0,
            $"{fact.Name}: recall {fact.Recall:P1} ({fact.Found}/{fact.Stated}), invented {fact.Invented}; misses: {string.Join("; ", fact.Misses)}"));
    }

    [Fact]
    public void The_scorer_counts_a_wrong_value_as_a_miss()
    {
        var notice = RfpNoticeCorpus.Load().First(n => n.Expected.TryGetProperty("solicitationNumber", out _));
        var wrong = JsonDocument.Parse("""{ "solicitationNumber": ["NOT-THE-NUMBER-1"] }""").RootElement;

        var score = RfpNoticeCorpus.Score([notice with { Expected = wrong }]);

        var fact = Assert.Single(score.Facts);
        Assert.Equal((1, 0), (fact.Stated, fact.Found));
    }
}

/// <summary>The notices of data/rfps/notices, read by the extractor and compared with what a reader finds in them.</summary>
internal static class RfpNoticeCorpus
{
    public sealed record Notice(string File, string Text, JsonElement Expected);

    public sealed record FactScore(string Name, int Stated, int Found, int Invented, IReadOnlyList<string> Misses)
    {
        public double Recall => Stated == 0 ? 1 : (double)Found / Stated;
    }

    public sealed record CorpusScore(int Notices, IReadOnlyList<FactScore> Facts)
    {
        public IEnumerable<string> Report()
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"RFP corpus: {Notices} notices");
            foreach (var fact in Facts)
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"RFP corpus: {fact.Name,-20} recall {fact.Recall,7:P1} ({fact.Found}/{fact.Stated}), invented {fact.Invented}");
                foreach (var miss in fact.Misses)
                {
                    yield return $"RFP corpus:   missed {miss}";
                }
            }
        }
    }

    public static string Folder => Path.Combine(RepositoryPaths.Root, "data", "rfps", "notices");

    public static IReadOnlyList<Notice> Load()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        var notices = expected.RootElement.EnumerateObject()
            .Select(entry => new Notice(entry.Name, File.ReadAllText(Path.Combine(Folder, entry.Name)), entry.Value.Clone()))
            .ToList();
        var unlisted = Directory.EnumerateFiles(Folder, "*.txt").Select(Path.GetFileName).Except(notices.Select(n => n.File)).ToList();
        return unlisted.Count == 0 ? notices : throw new InvalidOperationException($"No expected facts for {string.Join(", ", unlisted)}.");
    }

    public static CorpusScore Score(IReadOnlyList<Notice> notices)
    {
        var tallies = new SortedDictionary<string, (int Stated, int Found, int Invented, List<string> Misses)>(StringComparer.Ordinal);
        foreach (var notice in notices)
        {
            var facts = RfpFactExtractor.Extract(RfpTextExtractor.FromText(notice.Text));
            foreach (var property in notice.Expected.EnumerateObject())
            {
                var tally = tallies.GetValueOrDefault(property.Name, (0, 0, 0, []));
                var (stated, matched, actual) = Compare(property.Name, property.Value, facts);
                if (stated)
                {
                    tally.Stated++;
                    tally.Found += matched ? 1 : 0;
                }
                else
                {
                    tally.Invented += matched ? 0 : 1;
                }

                if (!matched)
                {
                    tally.Misses.Add($"{notice.File}: expected {property.Value.GetRawText().ReplaceLineEndings(" ")}, read {actual}");
                }

                tallies[property.Name] = tally;
            }
        }

        return new CorpusScore(notices.Count, [.. tallies.Select(t => new FactScore(t.Key, t.Value.Stated, t.Value.Found, t.Value.Invented, t.Value.Misses))]);
    }

    /// <summary>Whether the notice states the fact, whether the extractor read it right (or left it empty when not stated), and what it read.</summary>
    private static (bool Stated, bool Matched, string Actual) Compare(string fact, JsonElement expected, RfpFacts facts)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            var present = Read(fact, facts);
            return (false, present is null, present ?? "nothing");
        }

        var actual = Read(fact, facts) ?? "nothing";
        var matched = fact switch
        {
            "solicitationNumber" => Strings(expected).Any(s => Normalize(s) == Normalize(facts.SolicitationNumber?.Value)),
            "title" or "agency" or "placeOfPerformance" => Strings(expected).Any(s => Contains(actual, s)),
            "naics" => Strings(expected).Order().SequenceEqual(facts.NaicsCodes.Select(c => c.Value).Order()),
            "setAside" => expected.GetString() == facts.SetAside?.Value.Kind.ToString(),
            "responseDue" => SameDeadline(expected, facts.ResponseDue?.Value),
            "questionsDue" => SameDeadline(expected, facts.QuestionsDue?.Value),
            "evaluationBasis" => expected.GetString() == facts.EvaluationBasis?.Value,
            "evaluationFactors" => Strings(expected).Count == facts.EvaluationCriteria.Count
                && Strings(expected).All(name => facts.EvaluationCriteria.Any(f => Contains(f.Value.Name, name))),
            "statedValue" => facts.StatedValue?.Value is { } value
                && expected.GetProperty("kind").GetString() == value.Kind.ToString()
                && expected.GetProperty("minimum").GetDecimal() == decimal.Parse(value.Minimum.Amount, CultureInfo.InvariantCulture)
                && expected.GetProperty("maximum").GetDecimal() == decimal.Parse(value.Maximum.Amount, CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"expected.json names an unknown fact '{fact}'."),
        };
        return (true, matched, actual);
    }

    private static string? Read(string fact, RfpFacts facts) => fact switch
    {
        "solicitationNumber" => facts.SolicitationNumber?.Value,
        "title" => facts.Title?.Value,
        "agency" => facts.Agency?.Value,
        "placeOfPerformance" => facts.PlaceOfPerformance?.Value,
        "naics" => facts.NaicsCodes.Count == 0 ? null : string.Join(",", facts.NaicsCodes.Select(c => c.Value)),
        "setAside" => facts.SetAside?.Value.Kind.ToString(),
        "responseDue" => Describe(facts.ResponseDue?.Value),
        "questionsDue" => Describe(facts.QuestionsDue?.Value),
        "evaluationBasis" => facts.EvaluationBasis?.Value,
        "evaluationFactors" => facts.EvaluationCriteria.Count == 0 ? null : string.Join(" | ", facts.EvaluationCriteria.Select(f => f.Value.Name)),
        "statedValue" => facts.StatedValue?.Value is { } v ? $"{v.Kind} {v.Minimum.Amount}-{v.Maximum.Amount}" : null,
        _ => throw new InvalidOperationException($"expected.json names an unknown fact '{fact}'."),
    };

    private static bool SameDeadline(JsonElement expected, RfpDeadline? actual) =>
        actual is not null
        && expected.GetProperty("date").GetString() == actual.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        && expected.GetProperty("time").GetString() == actual.Time?.ToString("HH:mm", CultureInfo.InvariantCulture)
        && expected.GetProperty("zone").GetString() == actual.IanaTimeZone;

    private static string? Describe(RfpDeadline? deadline) => deadline is null ? null
        : string.Create(CultureInfo.InvariantCulture, $"{deadline.Date:yyyy-MM-dd} {deadline.Time:HH:mm} {deadline.IanaTimeZone ?? "(no zone)"}");

    private static List<string> Strings(JsonElement element) => [.. element.EnumerateArray().Select(e => e.GetString()!)];

    private static bool Contains(string actual, string expected) =>
        Collapse(actual).Contains(Collapse(expected), StringComparison.OrdinalIgnoreCase);

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Normalize(string? number) =>
        new((number ?? "").Where(c => !char.IsWhiteSpace(c) && c != '#').Select(char.ToUpperInvariant).ToArray());
}
