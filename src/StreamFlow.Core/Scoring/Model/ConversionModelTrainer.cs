using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Scoring.Model;

/// <summary>A lead whose outcome is known: what the model learns from.</summary>
public sealed record ConversionExample(LeadProfile Lead, bool Converted);

/// <summary>
/// Settings of <see cref="ConversionModelTrainer"/>. The model settings were chosen by cross-validation on the
/// public lead data set in data/leads/train.csv; they are the same for every tenant.
/// </summary>
public sealed record ConversionTrainingOptions
{
    public int MinimumOutcomes { get; init; } = 200;

    public int MinimumPerClass { get; init; } = 50;

    /// <summary>Stratified folds of the internal validation: every lead is predicted once by a model that did not see it.</summary>
    public int ValidationFolds { get; init; } = 5;

    public int Seed { get; init; } = 20_261_126;

    /// <summary>The model's version, e.g. the tenant's model counter: the score's <c>model</c> is "conversion@{Version}".</summary>
    public string Version { get; init; } = "1";

    public int Trees { get; init; } = 400;

    public int LeavesPerTree { get; init; } = 6;

    public double LearningRate { get; init; } = 0.06;

    public int MinimumLeadsPerLeaf { get; init; } = 30;

    public double FeatureFraction { get; init; } = 0.5;

    public float LinearL2 { get; init; } = 5f;

    /// <summary>The weights of the trees in the blend that validation chooses from; the logistic regression gets the rest.</summary>
    public IReadOnlyList<double> TreeWeightCandidates { get; init; } = [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

    /// <summary>The validation precision the hot tier is cut at (see <see cref="TierThresholds.FromValidation"/>).</summary>
    public double HotPrecision { get; init; } = 0.9;

    public FeatureSchemaOptions Features { get; init; } = new();
}

/// <summary>
/// Trains a tenant's <see cref="ConversionModel"/> with ML.NET from its leads with known outcomes: FastTree boosted
/// trees on raw values and one-hot categories, and an L-BFGS logistic regression on standardized values, decile
/// indicators and one-hot categories, over features derived from the leads' own attributes. A stratified k-fold
/// validation predicts every lead once out of sample; those predictions choose the blend of the two models,
/// calibrate it, give the reported AUC, and set the tier thresholds. The served model is then trained on all leads.
/// </summary>
public sealed class ConversionModelTrainer(TimeProvider timeProvider)
{
    /// <summary>
    /// Trains a model, or returns an <see cref="ProblemKind.Unprocessable"/> problem when there are not enough
    /// outcomes (at least 200, and 50 of each class by default) or no usable feature — then the rules score stands alone.
    /// </summary>
    public Result<ConversionModel> Train(IReadOnlyList<ConversionExample> examples, ConversionTrainingOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        var converted = examples.Count(e => e.Converted);
        var notConverted = examples.Count - converted;
        if (NotEnoughOutcomes(converted, notConverted, options) is { } problem)
        {
            return problem;
        }

        var labels = examples.Select(e => e.Converted).ToArray();
        var leads = examples.Select(e => e.Lead).ToArray();
        var folds = StratifiedFolds(labels, options.ValidationFolds, options.Seed);

        var treeLogits = new double[examples.Count];
        var linearLogits = new double[examples.Count];
        for (var fold = 0; fold < options.ValidationFolds; fold++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var trainIndexes = Enumerable.Range(0, leads.Length).Where(i => folds[i] != fold).ToArray();
            var testIndexes = Enumerable.Range(0, leads.Length).Where(i => folds[i] == fold).ToArray();
            var schema = FeatureSchema.Derive(trainIndexes.Select(i => leads[i]).ToArray(), options.Features);
            if (schema.Columns.Count == 0)
            {
                continue; // Caught below on all leads, where the same schema rule applies.
            }

            var fitted = Fit(schema, trainIndexes.Select(i => leads[i]).ToArray(), trainIndexes.Select(i => labels[i]).ToArray(), options);
            foreach (var i in testIndexes)
            {
                var (tree, linear) = Encode(schema, leads[i]);
                treeLogits[i] = -(fitted.TreeSlope * fitted.Trees.Score(tree) + fitted.TreeOffset);
                linearLogits[i] = -(fitted.LinearSlope * fitted.Linear.Score(linear) + fitted.LinearOffset);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var finalSchema = FeatureSchema.Derive(leads, options.Features);
        if (finalSchema.Columns.Count == 0)
        {
            return new Problem(
                ProblemKind.Unprocessable,
                "No attribute of these leads can be learned from: " + string.Join("; ", finalSchema.Dropped.Select(d => $"{d.Name} {d.Reason}")) + ".");
        }

        var treeAuc = RankingMetrics.Auc(treeLogits, labels);
        var linearAuc = RankingMetrics.Auc(linearLogits, labels);
        var treeWeight = options.TreeWeightCandidates
            .Select(w => (Weight: w, Auc: RankingMetrics.Auc(Blend(treeLogits, linearLogits, w), labels)))
            .OrderByDescending(c => Math.Round(c.Auc, 4)).ThenByDescending(c => c.Weight)
            .First().Weight;
        var blended = Blend(treeLogits, linearLogits, treeWeight);
        var (scale, offset) = PlattScaling(blended, labels);
        var validationProbabilities = blended.Select(z => ConversionModel.Sigmoid(scale * z + offset)).ToArray();
        var thresholds = TierThresholds.FromValidation(validationProbabilities, labels, options.HotPrecision);
        var hot = Enumerable.Range(0, labels.Length).Where(i => 100 * validationProbabilities[i] >= thresholds.Hot).ToArray();

        var final = Fit(finalSchema, leads, labels, options);
        var treeVectors = leads.Select(l => Encode(finalSchema, l).Tree).ToArray();
        final.Trees.ComputeNodeValues(treeVectors);
        var blend = new ModelBlend(final.TreeSlope, final.TreeOffset, final.LinearSlope, final.LinearOffset, treeWeight, scale, offset);
        var report = new ConversionModelReport(
            examples.Count,
            converted,
            notConverted,
            Math.Round(RankingMetrics.Auc(validationProbabilities, labels), 4),
            Math.Round(treeAuc, 4),
            Math.Round(linearAuc, 4),
            treeWeight,
            options.ValidationFolds,
            thresholds,
            hot.Length == 0 ? 0 : Math.Round(hot.Count(i => labels[i]) / (double)hot.Length, 4),
            Math.Round(hot.Length / (double)labels.Length, 4),
            [],
            finalSchema.Dropped,
            ConversionModel.PopulationsOf(finalSchema, leads));
        var model = new ConversionModel(options.Version, timeProvider.GetUtcNow(), finalSchema, final.Trees, final.Linear, blend, report);
        return new ConversionModel(
            options.Version, model.TrainedAt, finalSchema, final.Trees, final.Linear, blend,
            report with { FeatureImportance = ImportanceOf(model, leads, finalSchema) });
    }

    /// <summary>The problem to report when the outcomes are too few to learn from, or null when there are enough.</summary>
    public static Problem? NotEnoughOutcomes(int converted, int notConverted, ConversionTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (converted + notConverted >= options.MinimumOutcomes && converted >= options.MinimumPerClass && notConverted >= options.MinimumPerClass)
        {
            return null;
        }

        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"Not enough outcomes to train a model: {converted + notConverted} leads have an outcome ({converted} converted, {notConverted} not); at least {options.MinimumOutcomes} are needed, with at least {options.MinimumPerClass} of each. Until then the rules score stands alone.");
        return new Problem(ProblemKind.Unprocessable, message, new Dictionary<string, string[]> { ["outcomes"] = [message] });
    }

    private static double[] Blend(double[] treeLogits, double[] linearLogits, double treeWeight) =>
        treeLogits.Select((t, i) => treeWeight * t + (1 - treeWeight) * linearLogits[i]).ToArray();

    private static int[] StratifiedFolds(bool[] labels, int folds, int seed)
    {
        var random = new Random(seed);
        var assignment = new int[labels.Length];
        foreach (var label in new[] { true, false })
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == label).ToArray();
            random.Shuffle(members);
            for (var k = 0; k < members.Length; k++)
            {
                assignment[members[k]] = k % folds;
            }
        }

        return assignment;
    }

    private static (float[] Tree, float[] Linear) Encode(FeatureSchema schema, LeadProfile lead)
    {
        var tree = new float[schema.TreeWidth];
        var linear = new float[schema.LinearWidth];
        schema.Encode(lead, tree, linear);
        return (tree, linear);
    }

    private sealed record FittedModels(TreeEnsemble Trees, double TreeSlope, double TreeOffset, LinearModel Linear, double LinearSlope, double LinearOffset);

    private static FittedModels Fit(FeatureSchema schema, LeadProfile[] leads, bool[] labels, ConversionTrainingOptions options)
    {
        var ml = new MLContext(options.Seed);
        var encoded = leads.Select(l => Encode(schema, l)).ToArray();
        var treeVectors = encoded.Select(e => e.Tree).ToArray();
        var linearVectors = encoded.Select(e => e.Linear).ToArray();

        var trees = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.LeavesPerTree,
            LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinimumLeadsPerLeaf,
            FeatureFraction = options.FeatureFraction,
            Seed = options.Seed,
        }).Fit(View(ml, treeVectors, labels, schema.TreeWidth));

        var linear = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            L2Regularization = options.LinearL2,
            L1Regularization = 0,
        }).Fit(View(ml, linearVectors, labels, schema.LinearWidth));

        var linearModel = new LinearModel
        {
            Weights = linear.Model.SubModel.Weights.ToArray(),
            Bias = linear.Model.SubModel.Bias,
            SlotMeans = LinearModel.MeansOf(linearVectors, schema.LinearWidth),
        };
        return new FittedModels(
            TreeEnsemble.From(trees.Model.SubModel.TrainedTreeEnsemble),
            trees.Model.Calibrator.Slope,
            trees.Model.Calibrator.Offset,
            linearModel,
            linear.Model.Calibrator.Slope,
            linear.Model.Calibrator.Offset);
    }

    private static IDataView View(MLContext ml, float[][] vectors, bool[] labels, int width)
    {
        var definition = SchemaDefinition.Create(typeof(TrainingRow));
        definition[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(vectors.Select((v, i) => new TrainingRow { Features = v, Label = labels[i] }), definition);
    }

    /// <summary>Fits p = σ(a·z + b) to the labels by Newton's method (Platt scaling of the blended validation logits).</summary>
    private static (double Scale, double Offset) PlattScaling(double[] z, bool[] labels)
    {
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
            for (var i = 0; i < z.Length; i++)
            {
                var p = ConversionModel.Sigmoid(a * z[i] + b);
                var error = p - (labels[i] ? 1 : 0);
                var w = p * (1 - p);
                ga += error * z[i];
                gb += error;
                haa += w * z[i] * z[i];
                hab += w * z[i];
                hbb += w;
            }

            var determinant = haa * hbb - hab * hab;
            var da = (hbb * ga - hab * gb) / determinant;
            var db = (haa * gb - hab * ga) / determinant;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-9)
            {
                break;
            }
        }

        return (a, b);
    }

    private static FeatureImportance[] ImportanceOf(ConversionModel model, LeadProfile[] leads, FeatureSchema schema)
    {
        var totals = new double[schema.Columns.Count];
        var step = Math.Max(1, leads.Length / 2_000);
        for (var i = 0; i < leads.Length; i += step)
        {
            var contributions = model.Explain(leads[i], out _);
            for (var c = 0; c < totals.Length; c++)
            {
                totals[c] += Math.Abs(contributions[c]);
            }
        }

        var sum = totals.Sum();
        return totals
            .Select((t, c) => new FeatureImportance(schema.Columns[c].Name, sum > 0 ? Math.Round(t / sum, 4) : 0))
            .OrderByDescending(f => f.Importance).ThenBy(f => f.Feature, StringComparer.Ordinal)
            .ToArray();
    }

    private sealed class TrainingRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
