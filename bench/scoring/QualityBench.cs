using System.Diagnostics;
using System.Globalization;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Bench.Scoring;

/// <summary>
/// Stratified k-fold cross-validation on train.csv: for each fold, the StreamFlow model and a logistic-regression
/// baseline are trained through the Core trainer on the other folds, the held-out fold is imported with its Converted
/// column removed (as a tenant uploads leads whose outcome is not known yet), scored, and compared with the truth.
/// </summary>
internal static class QualityBench
{
    private static readonly ConversionTrainingOptions StreamFlowOptions = new();
    private static readonly ConversionTrainingOptions BaselineOptions = new() { TreeWeightCandidates = [0], Trees = 10 };

    public static async Task RunAsync()
    {
        var csv = LeadData.Read("train.csv");
        var train = await LeadData.ImportAsync(csv, LeadData.OutcomeColumn);
        var labelled = train.Leads.Where(l => l.Outcome is not null).ToArray();
        var truth = labelled.ToDictionary(l => l.ExternalId!, l => l.Outcome == ImportedOutcome.Won, StringComparer.Ordinal);
        var foldOf = StratifiedFolds.Assign(truth.Select(t => (t.Key, t.Value)), StratifiedFolds.Count, StratifiedFolds.Seed);
        Console.WriteLine($"train.csv: {train.Leads.Count:N0} leads imported, {train.Errors.Count} row errors, {labelled.Length:N0} with an outcome, {truth.Values.Count(c => c) / (double)truth.Count:0.0%} converted");
        Console.WriteLine($"stratified {StratifiedFolds.Count}-fold cross-validation (seed {StratifiedFolds.Seed}); each model is trained on the other folds, the held-out fold is imported without '{LeadData.OutcomeColumn}'");

        var trainer = new ConversionModelTrainer(TimeProvider.System);
        var results = new List<FoldResult>();
        for (var fold = 0; fold < StratifiedFolds.Count; fold++)
        {
            var examples = labelled.Where(l => foldOf[l.ExternalId!] != fold)
                .Select(l => new ConversionExample(LeadProfile.FromImported(l), l.Outcome == ImportedOutcome.Won)).ToArray();
            var heldOutIds = foldOf.Where(f => f.Value == fold).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
            var blind = await LeadData.ImportAsync(LeadData.WithoutColumn(LeadData.OnlyRows(csv, heldOutIds), LeadData.OutcomeColumn), outcomeColumn: null);
            var heldOut = blind.Leads.Select(LeadProfile.FromImported).ToArray();
            var heldOutTruth = blind.Leads.Select(l => truth[l.ExternalId!]).ToArray();

            Console.WriteLine();
            Console.WriteLine($"fold {fold + 1}/{StratifiedFolds.Count}: trained on {examples.Length:N0} leads; {heldOut.Length:N0} held out ({heldOutTruth.Count(c => c):N0} converted), {blind.Errors.Count} row errors");
            var model = Train(trainer, "StreamFlow model", examples, StreamFlowOptions, details: fold == 0);
            var baseline = Train(trainer, "LR baseline", examples, BaselineOptions, details: false);
            var result = new FoldResult(Measure(model, heldOut, heldOutTruth), Measure(baseline, heldOut, heldOutTruth));
            Console.WriteLine($"  StreamFlow  {result.StreamFlow}");
            Console.WriteLine($"  LR baseline {result.Baseline}");
            results.Add(result);
            if (fold == 0)
            {
                PrintExplanation(model, heldOut[0]);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{$"mean ± sd over {results.Count} folds",-34}{"StreamFlow",20}{"LR baseline",20}");
        Row("AUC", results, f => f.Auc, "0.0000");
        Row("hot tier: converted", results, f => f.HotPrecision, "0.0%");
        Row("hot tier: leads", results, f => f.HotCount, "0");
        Row("hot tier: share of leads", results, f => f.HotShare, "0.0%");
        Row("conversions in top 20 %", results, f => f.Top20, "0.0%");
        Row("conversions in top 40 %", results, f => f.Top40, "0.0%");
        Row("converted among top 20 %", results, f => f.Top20Precision, "0.0%");
        Console.WriteLine("(sd: sample standard deviation across folds)");
    }

    private static ConversionModel Train(ConversionModelTrainer trainer, string name, ConversionExample[] examples, ConversionTrainingOptions options, bool details)
    {
        var clock = Stopwatch.StartNew();
        var result = trainer.Train(examples, options, CancellationToken.None);
        var model = result.Succeeded ? result.Value : throw new InvalidOperationException(result.Problem.Detail);
        var r = model.Report;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  trained {name} in {clock.Elapsed.TotalSeconds:0.0} s: inner {r.ValidationFolds}-fold validation AUC {r.Auc:0.0000} (trees {r.TreeAuc:0.0000}, logistic {r.LinearAuc:0.0000}, tree weight {r.TreeWeight:0.0}); hot ≥ {r.Thresholds.Hot}, warm ≥ {r.Thresholds.Warm}; {model.Serialize().Length / 1024} KiB serialized"));
        if (details)
        {
            Console.WriteLine("    feature importance: " + string.Join(", ", r.FeatureImportance.Take(8).Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Feature} {f.Importance:0.00}"))));
            foreach (var dropped in r.DroppedFeatures)
            {
                Console.WriteLine($"    not used: {dropped.Name} ({dropped.Reason})");
            }
        }

        return model;
    }

    private static void PrintExplanation(ConversionModel model, LeadProfile lead)
    {
        var example = model.Predict(lead);
        Console.WriteLine($"  explanation of the fold's first held-out lead (p = {example.Probability:0.000}):");
        foreach (var factor in example.Up)
        {
            Console.WriteLine($"    up   {factor.LogOdds,7:+0.000}  {factor.Name}");
        }

        foreach (var factor in example.Down)
        {
            Console.WriteLine($"    down {factor.LogOdds,7:+0.000;-0.000}  {factor.Name}");
        }
    }

    private sealed record FoldResult(Figures StreamFlow, Figures Baseline);

    private sealed record Figures(double Auc, double HotPrecision, int HotCount, double HotShare, double Top20, double Top40, double Top20Precision)
    {
        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"AUC {Auc:0.0000}; hot tier {HotCount} leads ({HotShare:0.0%}), {HotPrecision:0.0%} converted; top 20 % holds {Top20:0.0%} of conversions and is {Top20Precision:0.0%} converted; top 40 % holds {Top40:0.0%}");
    }

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

    private static void Row(string name, List<FoldResult> results, Func<Figures, double> figure, string format) =>
        Console.WriteLine($"{name,-34}{MeanAndSd(results.Select(r => figure(r.StreamFlow)), format),20}{MeanAndSd(results.Select(r => figure(r.Baseline)), format),20}");

    private static string MeanAndSd(IEnumerable<double> values, string format)
    {
        var list = values.ToArray();
        var mean = list.Average();
        var sd = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Length - 1));
        return mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + sd.ToString(format, CultureInfo.InvariantCulture);
    }
}
