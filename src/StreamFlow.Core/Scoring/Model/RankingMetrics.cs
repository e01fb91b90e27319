namespace StreamFlow.Core.Scoring.Model;

/// <summary>How well scores rank converted leads above the others.</summary>
public static class RankingMetrics
{
    /// <summary>The area under the ROC curve: the chance that a random converted lead scores above a random other one (ties count half).</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> converted)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(converted);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        long positives = converted.Count(c => c), negatives = converted.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        double rankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = (start + end + 1) / 2.0;
            for (var k = start; k < end; k++)
            {
                if (converted[order[k]])
                {
                    rankSum += averageRank;
                }
            }

            start = end;
        }

        return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    /// <summary>The share of all conversions found among the top <paramref name="share"/> of leads by score.</summary>
    public static double CaptureAt(IReadOnlyList<double> scores, IReadOnlyList<bool> converted, double share)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(converted);
        var top = (int)Math.Round(scores.Count * share, MidpointRounding.AwayFromZero);
        var total = converted.Count(c => c);
        var found = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).Take(top).Count(i => converted[i]);
        return total == 0 ? 0 : found / (double)total;
    }

    /// <summary>The share of converted leads among the top <paramref name="share"/> of leads by score.</summary>
    public static double PrecisionAt(IReadOnlyList<double> scores, IReadOnlyList<bool> converted, double share)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(converted);
        var top = Math.Max(1, (int)Math.Round(scores.Count * share, MidpointRounding.AwayFromZero));
        return Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).Take(top).Count(i => converted[i]) / (double)top;
    }
}
