using System.Globalization;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.ColdStart;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Bench.Scoring;

/// <summary>
/// The cold-start learning curve (docs/model-governance.md): train.csv dealt into four businesses of one industry
/// (stratified, fixed seed). Three of them make the industry pool; the fourth is the newcomer, whose last third is
/// held out. For 100, 200, 500 and 1,000 of the newcomer's outcomes (five draws each) it prints the held-out AUC of a
/// model trained from scratch on them, of the pool alone, and of what is served (the two blended by ServingModel).
/// The four businesses are one data set split at random, so the pool fits the newcomer better than a real industry's
/// pool would: the pool's figure is an upper bound, the from-scratch one is not.
/// </summary>
internal static class ColdStartBench
{
    private const int Businesses = 4;
    private const int Draws = 5;
    private static readonly int[] Outcomes = [100, 200, 500, 1000];

    public static async Task RunAsync()
    {
        var train = await LeadData.ImportAsync(LeadData.Read("train.csv"), LeadData.OutcomeColumn);
        var labelled = train.Leads.Where(l => l.Outcome is not null)
            .Select(l => (Id: l.ExternalId!, Example: new ConversionExample(LeadProfile.FromImported(l), l.Outcome == ImportedOutcome.Won)))
            .ToArray();
        var businessOf = StratifiedFolds.Assign(labelled.Select(l => (l.Id, l.Example.Converted)), Businesses, StratifiedFolds.Seed);
        var newcomer = labelled.Where(l => businessOf[l.Id] == 0).Select(l => l.Example).ToArray();
        var pool = IndustryPool.From(
            "education",
            [.. Enumerable.Range(1, Businesses - 1).Select(b => OutcomeTallies.Of(labelled.Where(l => businessOf[l.Id] == b).Select(l => (l.Example.Lead, l.Example.Converted))))],
            double.NaN,
            DateTimeOffset.UtcNow)!;

        var heldOut = newcomer.Where((_, i) => i % 3 == 2).ToArray();
        var learning = newcomer.Where((_, i) => i % 3 != 2).ToArray();
        var truth = heldOut.Select(e => e.Converted).ToArray();
        Console.WriteLine($"train.csv: {labelled.Length:N0} leads with an outcome, dealt into {Businesses} businesses; the pool: {pool.Businesses} businesses, {pool.Decided:N0} outcomes, {pool.Features.Count} features, {pool.Features.Sum(f => f.Value.Count)} values");
        Console.WriteLine($"the newcomer: {learning.Length:N0} leads to learn from, {heldOut.Length:N0} held out ({truth.Count(c => c)} converted); {Draws} draws per size");
        var poolAuc = Auc(heldOut.Select(e => pool.Predict(e.Lead).Probability), truth);

        var trainer = new ConversionModelTrainer(TimeProvider.System);
        Console.WriteLine();
        Console.WriteLine($"{"outcomes",10}{"from scratch",16}{"pool alone",14}{"served",10}{"own weight",12}");
        foreach (var n in Outcomes.Where(n => n <= learning.Length))
        {
            var scratch = new List<double>();
            var served = new List<double>();
            for (var draw = 0; draw < Draws; draw++)
            {
                var random = new Random(StratifiedFolds.Seed + (n * 31) + draw);
                var sample = learning.OrderBy(_ => random.Next()).Take(n).ToArray();
                var trained = trainer.Train(sample, new ConversionTrainingOptions { MinimumOutcomes = 100, MinimumPerClass = 25 }, CancellationToken.None);
                if (!trained.Succeeded)
                {
                    continue;
                }

                scratch.Add(Auc(heldOut.Select(e => trained.Value.Predict(e.Lead).Probability), truth));
                served.Add(Auc(heldOut.Select(e => ServingModel.Signal(trained.Value, pool, e.Lead)!.Prediction.Probability), truth));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n,10}{Mean(scratch),16:0.000}{poolAuc,14:0.000}{Mean(served),10:0.000}{ServingModel.OwnWeight(n),12:0.00}"));
        }

        Console.WriteLine("(AUC on the newcomer's held-out leads, mean over the draws; target: ≥ 0.85 with 200 outcomes)");
    }

    private static double Auc(IEnumerable<double> scores, bool[] truth) => RankingMetrics.Auc([.. scores], truth);

    private static double Mean(List<double> values) => values.Count == 0 ? double.NaN : values.Average();
}
