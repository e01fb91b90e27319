using System.Diagnostics;
using System.Globalization;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Bench.Scoring;

/// <summary>
/// Trains on train.csv through the Core trainer, scores holdout.csv with its Converted column removed, and compares
/// the scores with the truth, next to a logistic-regression baseline trained in the same run on the same features.
/// holdout.csv is used for nothing else: no setting is chosen on it.
/// </summary>
internal static class QualityBench
{
    public static async Task RunAsync()
    {
        var train = await LeadData.ImportAsync(LeadData.Read("train.csv"), LeadData.OutcomeColumn);
        var examples = train.Leads.Where(l => l.Outcome is not null)
            .Select(l => new ConversionExample(LeadProfile.FromImported(l), l.Outcome == ImportedOutcome.Won)).ToArray();
        Console.WriteLine($"train.csv: {train.Leads.Count:N0} leads imported, {train.Errors.Count} row errors, {examples.Length:N0} with an outcome");

        var holdoutBytes = LeadData.Read("holdout.csv");
        var truth = (await LeadData.ImportAsync(holdoutBytes, LeadData.OutcomeColumn)).Leads
            .ToDictionary(l => l.ExternalId!, l => l.Outcome == ImportedOutcome.Won, StringComparer.Ordinal);
        var holdout = await LeadData.ImportAsync(LeadData.WithoutColumn(holdoutBytes, LeadData.OutcomeColumn), outcomeColumn: null);
        var holdoutLeads = holdout.Leads.Select(LeadProfile.FromImported).ToArray();
        var holdoutTruth = holdout.Leads.Select(l => truth[l.ExternalId!]).ToArray();
        Console.WriteLine($"holdout.csv: {holdout.Leads.Count:N0} leads imported without '{LeadData.OutcomeColumn}', {holdout.Errors.Count} row errors");
        Console.WriteLine();

        var trainer = new ConversionModelTrainer(TimeProvider.System);
        var model = Train(trainer, examples, new ConversionTrainingOptions());
        var baseline = Train(trainer, examples, new ConversionTrainingOptions { TreeWeightCandidates = [0], Trees = 10 });

        Console.WriteLine();
        Console.WriteLine($"{"holdout.csv (2,690 leads)",-34}{"StreamFlow",14}{"LR baseline",14}");
        var ours = Measure(model, holdoutLeads, holdoutTruth);
        var theirs = Measure(baseline, holdoutLeads, holdoutTruth);
        Row("AUC", ours.Auc, theirs.Auc, "0.0000");
        Row("hot tier: converted", ours.HotPrecision, theirs.HotPrecision, "0.0%");
        Row("hot tier: leads", ours.HotCount, theirs.HotCount, "N0");
        Row("hot tier: share of leads", ours.HotShare, theirs.HotShare, "0.0%");
        Row("conversions in top 20 %", ours.Top20, theirs.Top20, "0.0%");
        Row("conversions in top 40 %", ours.Top40, theirs.Top40, "0.0%");
        Row("converted among top 20 %", ours.Top20Precision, theirs.Top20Precision, "0.0%");
        Console.WriteLine();
        Console.WriteLine("References on this split (../shared/data/leads/README.md): naive Bayes 0.870, logistic regression 0.898, histogram gradient boosting 0.905 (top 20 %: 91.6 % converted).");

        var example = model.Predict(holdoutLeads[0]);
        Console.WriteLine();
        Console.WriteLine($"Explanation of the first holdout lead (p = {example.Probability:0.000}):");
        foreach (var factor in example.Up)
        {
            Console.WriteLine($"  up   {factor.LogOdds,7:+0.000}  {factor.Name}");
        }

        foreach (var factor in example.Down)
        {
            Console.WriteLine($"  down {factor.LogOdds,7:+0.000;-0.000}  {factor.Name}");
        }
    }

    private static ConversionModel Train(ConversionModelTrainer trainer, ConversionExample[] examples, ConversionTrainingOptions options)
    {
        var clock = Stopwatch.StartNew();
        var result = trainer.Train(examples, options, CancellationToken.None);
        var model = result.Succeeded ? result.Value : throw new InvalidOperationException(result.Problem.Detail);
        var r = model.Report;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"trained {(options.TreeWeightCandidates.SequenceEqual([0]) ? "LR baseline" : "StreamFlow model")} in {clock.Elapsed.TotalSeconds:0.0} s: {r.ValidationFolds}-fold validation AUC {r.Auc:0.0000} (trees {r.TreeAuc:0.0000}, logistic {r.LinearAuc:0.0000}, tree weight {r.TreeWeight:0.0}); hot ≥ {r.Thresholds.Hot}, warm ≥ {r.Thresholds.Warm}; validation hot tier {r.HotPrecision:0.0%} converted, {r.HotShare:0.0%} of leads; {model.Serialize().Length / 1024} KiB serialized"));
        if (!options.TreeWeightCandidates.SequenceEqual([0]))
        {
            Console.WriteLine("  feature importance: " + string.Join(", ", r.FeatureImportance.Take(8).Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Feature} {f.Importance:0.00}"))));
            foreach (var dropped in r.DroppedFeatures)
            {
                Console.WriteLine($"  not used: {dropped.Name} ({dropped.Reason})");
            }
        }

        return model;
    }

    private sealed record Figures(double Auc, double HotPrecision, int HotCount, double HotShare, double Top20, double Top40, double Top20Precision);

    private static Figures Measure(ConversionModel model, LeadProfile[] leads, bool[] truth)
    {
        var probabilities = model.PredictProbabilities(leads);
        var hot = Enumerable.Range(0, leads.Length).Where(i => model.Report.Thresholds.TierOf(100 * probabilities[i]) == ScoreTier.Hot).ToArray();
        return new Figures(
            RankingMetrics.Auc(probabilities, truth),
            hot.Length == 0 ? double.NaN : hot.Count(i => truth[i]) / (double)hot.Length,
            hot.Length,
            hot.Length / (double)leads.Length,
            RankingMetrics.CaptureAt(probabilities, truth, 0.2),
            RankingMetrics.CaptureAt(probabilities, truth, 0.4),
            RankingMetrics.PrecisionAt(probabilities, truth, 0.2));
    }

    private static void Row(string name, double ours, double theirs, string format) =>
        Console.WriteLine($"{name,-34}{ours.ToString(format, CultureInfo.InvariantCulture),14}{theirs.ToString(format, CultureInfo.InvariantCulture),14}");
}
