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
    /// Candidates that read the earlier 30-day window (60-90 days ago) beside the middle one (30-60 days ago). The four
    /// the first selection chose (seed 2126: usageFade, usageEarlierDrop, loginFade, pipelineFade) are now in
    /// <see cref="ChurnFactors.All"/>; these are the ones it passed over.
    /// </summary>
    public static readonly IReadOnlyList<ChurnFactor> Candidates =
    [
        Candidate("activityFade", s => Fade(Activity(s, Window.Recent), Activity(s, Window.Prior), Activity(s, Window.Early))),
        Candidate("aiFade", s => Fade(s.AiCallsRecent, s.AiCallsPrior, s.AiCallsEarly)),
        Candidate("leadFade", s => Fade(s.LeadsRecent, s.LeadsPrior, s.LeadsEarly)),
        Candidate("loginThreeMonthDrop", s => Drop(s.LoginsRecent, s.LoginsEarly)),
        Candidate("usageThreeMonthDrop", s => Drop(Usage(s, Window.Recent), Usage(s, Window.Early))),
        Candidate("ownerAwayWhileUsageFades", s => Math.Min(s.OwnerIdleDays, 90) / 30
            * Fade(Usage(s, Window.Recent), Usage(s, Window.Prior), Usage(s, Window.Early))),
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

    private enum Window { Recent, Prior, Early }

    private static ChurnFactor Candidate(string name, Func<ChurnSignals, double> measure) => new(name, name, measure, _ => "");

    /// <summary>The smaller of the last two monthly drops (recent against 30-60 days ago, that against 60-90), 0 unless both fell.</summary>
    private static double Fade(double recent, double prior, double early) => Math.Max(0, Math.Min(Drop(recent, prior - early), Drop(prior - early, early)));

    private static double Drop(double later, double earlier) => -Math.Log((later + 1) / (earlier + 1));

    private static double Usage(ChurnSignals s, Window w) => w switch
    {
        Window.Recent => s.LoginsRecent + s.StageChangesRecent + s.AiCallsRecent,
        Window.Prior => s.LoginsPrior + s.StageChangesPrior + s.AiCallsPrior,
        _ => s.LoginsEarly + s.StageChangesEarly + s.AiCallsEarly,
    };

    private static double Activity(ChurnSignals s, Window w) => w switch
    {
        Window.Recent => s.LoginsRecent + s.LeadsRecent + s.StageChangesRecent,
        Window.Prior => s.LoginsPrior + s.LeadsPrior + s.StageChangesPrior,
        _ => s.LoginsEarly + s.LeadsEarly + s.StageChangesEarly,
    };
}
