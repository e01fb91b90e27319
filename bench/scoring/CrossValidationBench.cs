using System.Diagnostics;
using System.Globalization;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Bench.Scoring;

/// <summary>
/// How the trainer's settings were chosen: the trainer's own k-fold validation AUC on train.csv (its out-of-sample
/// predictions), for a few settings. The quality mode then measures the defaults by an outer cross-validation.
/// </summary>
internal static class CrossValidationBench
{
    public static async Task RunAsync()
    {
        var train = await LeadData.ImportAsync(LeadData.Read("train.csv"), LeadData.OutcomeColumn);
        var examples = train.Leads.Where(l => l.Outcome is not null)
            .Select(l => new ConversionExample(LeadProfile.FromImported(l), l.Outcome == ImportedOutcome.Won)).ToArray();
        var trainer = new ConversionModelTrainer(TimeProvider.System);
        var defaults = new ConversionTrainingOptions();
        (string Name, ConversionTrainingOptions Options)[] candidates =
        [
            ("defaults", defaults),
            ("logistic regression only", defaults with { TreeWeightCandidates = [0] }),
            ("trees only", defaults with { TreeWeightCandidates = [1] }),
            ("1500 trees, rate 0.015", defaults with { Trees = 1500, LearningRate = 0.015 }),
            ("300 trees, 8 leaves, rate 0.08", defaults with { Trees = 300, LeavesPerTree = 8, LearningRate = 0.08, MinimumLeadsPerLeaf = 20 }),
            ("800 trees, rate 0.03", defaults with { Trees = 800, LearningRate = 0.03 }),
            ("500 trees, 8 leaves, rate 0.05", defaults with { Trees = 500, LeavesPerTree = 8, LearningRate = 0.05, MinimumLeadsPerLeaf = 20 }),
            ("12 leaves, 50 per leaf, rate 0.02", defaults with { Trees = 600, LeavesPerTree = 12, LearningRate = 0.02, MinimumLeadsPerLeaf = 50 }),
            ("feature fraction 0.8", defaults with { FeatureFraction = 0.8 }),
            ("categories from 5 leads", defaults with { Features = new FeatureSchemaOptions { MinCategoryCount = 5 } }),
            ("logistic L2 1", defaults with { LinearL2 = 1 }),
        ];

        foreach (var (name, options) in candidates)
        {
            var clock = Stopwatch.StartNew();
            var report = trainer.Train(examples, options, CancellationToken.None).Value!.Report;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-36} validation AUC {report.Auc:0.0000} (trees {report.TreeAuc:0.0000}, logistic {report.LinearAuc:0.0000}, tree weight {report.TreeWeight:0.0})  {clock.Elapsed.TotalSeconds:0.0} s"));
        }
    }
}
