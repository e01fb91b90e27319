using StreamFlow.Core.ClientSuccess;

namespace StreamFlow.Bench.Churn;

/// <summary>
/// Chooses new factors on the training cutoffs alone (docs/client-success.md, "Backtest"): every candidate is added to
/// the shipped factors and scored on two checks inside the training period (fit on days 90/120, score 150/180; fit on
/// 90/120/150, score 180); a forward selection keeps the best one while it raises the AUC of both checks. The test
/// cutoffs are never read here.
/// </summary>
internal static class FactorSelection
{
    /// <summary>
    /// Candidates: the ones earlier selections passed over (three-window fades of leads, AI and activity, three-month
    /// drops, owner away × use fading) and the ones the signals of 0266 make possible that it passed over: weekly use
    /// falling over the last 6 weeks, irregular weekly use, and the win rate of the last 90 days below the business's
    /// usual (the 275 days before). It chose ownerSignInDrop and weeklyUseFall4 (seed 2126), now in
    /// <see cref="ChurnFactors.All"/>.
    /// </summary>
    public static readonly IReadOnlyList<ChurnFactor> Candidates =
    [
        Candidate("activityFade", s => ChurnMeasures.Fade(s, ChurnMeasures.Windows(
            s.LoginsRecent + s.LeadsRecent + s.StageChangesRecent, s.LoginsPrior + s.LeadsPrior + s.StageChangesPrior, s.LoginsEarly + s.LeadsEarly + s.StageChangesEarly))),
        Candidate("aiFade", s => ChurnMeasures.Fade(s, ChurnMeasures.Windows(s.AiCallsRecent, s.AiCallsPrior, s.AiCallsEarly))),
        Candidate("leadFade", s => ChurnMeasures.Fade(s, ChurnMeasures.Windows(s.LeadsRecent, s.LeadsPrior, s.LeadsEarly))),
        Candidate("loginThreeMonthDrop", s => ThreeMonthDrop(s, s.LoginsRecent, s.LoginsEarly)),
        Candidate("usageThreeMonthDrop", s => ThreeMonthDrop(s, Usage(s).Recent, Usage(s).Early)),
        Candidate("ownerAwayWhileUsageFades", s => Math.Min(s.OwnerIdleDays, 90) / 30 * ChurnMeasures.Fade(s, Usage(s))),
        Candidate("weeklyUseFall6", s => ChurnMeasures.WeeklyFall(s, 6)),
        Candidate("weeklyUseIrregular", Irregularity),
        Candidate("winRateBelowUsual", s => s.DecidedBefore < 10 ? 0
            : WinRate(s.WonBefore, s.DecidedBefore) - WinRate(s.WonRecent + s.WonPrior, s.DecidedRecent + s.DecidedPrior)),
    ];

    public static void Run(IReadOnlyList<(int Day, ChurnSignals Signals, bool Churned)> train, int horizonDays)
    {
        (int[] Fit, int[] Check)[] checks = [([90, 120], [150, 180]), ([90, 120, 150], [180])];
        double[] Score(IReadOnlyList<ChurnFactor> factors) => checks.Select(check =>
        {
            List<ChurnExample> Examples(int[] days) => train.Where(e => days.Contains(e.Day))
                .Select(e => new ChurnExample(factors.Select(f => f.Measure(e.Signals)).ToArray(), e.Churned)).ToList();
            var model = ChurnModelTrainer.Fit(Examples(check.Fit), "select", "select", horizonDays, factors: factors);
            return ChurnEvaluation.Auc(Examples(check.Check).Select(e => (model.Probability(e.Values), e.Churned)).ToList());
        }).ToArray();

        static string Show(double[] aucs) => string.Join("  ", aucs.Select(a => a.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)));
        var chosen = ChurnFactors.All.ToList();
        var current = Score(chosen);
        Console.WriteLine($"factor selection on the training cutoffs (AUC: fit 90/120 score 150/180, fit 90/120/150 score 180)");
        Console.WriteLine($"  {"shipped factors",-28} {Show(current)}");
        var remaining = Candidates.Where(c => chosen.All(f => f.Name != c.Name)).ToList();
        while (remaining.Count > 0)
        {
            var scored = remaining.Select(c => (Candidate: c, Aucs: Score([.. chosen, c]))).ToList();
            foreach (var (candidate, aucs) in scored)
            {
                Console.WriteLine($"    + {candidate.Name,-26} {Show(aucs)}");
            }

            var best = scored.Where(s => s.Aucs.Zip(current).All(p => p.First > p.Second))
                .OrderByDescending(s => s.Aucs.Sum()).FirstOrDefault();
            if (best.Candidate is null)
            {
                break;
            }

            chosen.Add(best.Candidate);
            remaining.Remove(best.Candidate);
            current = best.Aucs;
            Console.WriteLine($"  chose {best.Candidate.Name,-22} {Show(current)}");
        }

        Console.WriteLine($"  selected: {string.Join(", ", chosen.Skip(ChurnFactors.All.Count).Select(f => f.Name).DefaultIfEmpty("nothing"))}");
        Console.WriteLine();
    }

    private static ChurnFactor Candidate(string name, Func<ChurnSignals, double> measure) => new(name, name, measure, _ => "");

    private static Months Usage(ChurnSignals s) => ChurnMeasures.Windows(
        s.LoginsRecent + s.StageChangesRecent + s.AiCallsRecent, s.LoginsPrior + s.StageChangesPrior + s.AiCallsPrior, s.LoginsEarly + s.StageChangesEarly + s.AiCallsEarly);

    private static double ThreeMonthDrop(ChurnSignals s, long recent, long early) =>
        ChurnMeasures.Per30(s, early, 60, 90) is { } earlyRate ? ChurnMeasures.Drop(recent, earlyRate) : 0;

    private static double WinRate(long won, long decided) => (won + 1.0) / (decided + 2.0);

    /// <summary>The standard deviation of the week-to-week change in ln(1 + use) over the weeks the business existed.</summary>
    private static double Irregularity(ChurnSignals s)
    {
        var weeks = Math.Min(s.UseWeekly.Length, (int)(s.TenantAgeDays / 7));
        if (weeks < 4)
        {
            return 0;
        }

        var changes = s.UseWeekly[^weeks..].Select(n => Math.Log(1 + n)).Pairwise().ToArray();
        var mean = changes.Average();
        return Math.Sqrt(changes.Average(c => (c - mean) * (c - mean)));
    }

    private static IEnumerable<double> Pairwise(this IEnumerable<double> values) => values.Zip(values.Skip(1), (a, b) => b - a);
}
