namespace StreamFlow.Bench.Scoring;

/// <summary>
/// Stratified k-fold assignment of train.csv's leads, keyed by external id so that the in-process bench and the HTTP
/// bench (which links this file) evaluate on the same folds. Each fold gets the same share of converted leads.
/// </summary>
internal static class StratifiedFolds
{
    public const int Count = 5;
    public const int Seed = 20_261_205;

    public static IReadOnlyDictionary<string, int> Assign(IEnumerable<(string ExternalId, bool Converted)> leads, int folds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var random = new Random(seed);
        var foldOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var outcome in leads.OrderBy(l => l.ExternalId, StringComparer.Ordinal).GroupBy(l => l.Converted).OrderBy(g => g.Key))
        {
            var ids = outcome.Select(l => l.ExternalId).ToArray();
            random.Shuffle(ids);
            for (var i = 0; i < ids.Length; i++)
            {
                foldOf.Add(ids[i], i % folds);
            }
        }

        return foldOf;
    }
}
