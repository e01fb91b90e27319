using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Scoring.Model;

/// <summary>One reason for a prediction: a feature and the lead's value of it, and how far it moved the log-odds.</summary>
public sealed record ModelFactor(string Feature, string Value, double LogOdds)
{
    /// <summary>In the tenant's own words: "Lead Source: Reference", "Total Time Spent on Website: 1,520".</summary>
    [JsonIgnore]
    public string Name => $"{Feature}: {Value}";
}

/// <summary>A conversion probability with the factors that pushed it up and down most, strongest first.</summary>
public sealed record ConversionPrediction(double Probability, IReadOnlyList<ModelFactor> Up, IReadOnlyList<ModelFactor> Down);

/// <summary>A feature's share of everything the model's explanations attribute, over the training leads (sums to 1).</summary>
public sealed record FeatureImportance(string Feature, double Importance);

/// <summary>How a model was trained and how well it did on leads it had not seen (its cross-validation).</summary>
public sealed record ConversionModelReport(
    int Samples,
    int Converted,
    int NotConverted,
    double Auc,
    double TreeAuc,
    double LinearAuc,
    double TreeWeight,
    int ValidationFolds,
    TierThresholds Thresholds,
    double HotPrecision,
    double HotShare,
    IReadOnlyList<FeatureImportance> FeatureImportance,
    IReadOnlyList<DroppedFeature> DroppedFeatures,
    IReadOnlyList<ColumnPopulation>? TrainingPopulation = null);

/// <summary>How many leads fell in each bin of one feature column (see <see cref="ConversionModel.Populations"/>).</summary>
public sealed record ColumnPopulation(string Feature, IReadOnlyDictionary<string, long> Leads);

/// <summary>
/// How the two models' scores become one probability: each model's calibrated log-odds, weighted, then
/// recalibrated: logit = Scale × (TreeWeight × treeLogit + (1 − TreeWeight) × linearLogit) + Offset.
/// </summary>
internal sealed record ModelBlend(
    double TreeSlope, double TreeOffset, double LinearSlope, double LinearOffset, double TreeWeight, double Scale, double Offset)
{
    // ML.NET's Platt calibrators give p = 1 / (1 + exp(slope × score + offset)), so a model's logit is −(slope × score + offset).
    [JsonIgnore]
    public double TreeFactor => -Scale * TreeWeight * TreeSlope;

    [JsonIgnore]
    public double LinearFactor => -Scale * (1 - TreeWeight) * LinearSlope;

    [JsonIgnore]
    public double Constant => Offset - Scale * TreeWeight * TreeOffset - Scale * (1 - TreeWeight) * LinearOffset;
}

/// <summary>
/// A tenant's trained conversion model: boosted trees and a logistic regression over features derived from the
/// tenant's own lead attributes, blended into one calibrated probability. Predictions are explained per feature in
/// the tenant's words. Thread-safe; serializes to bytes (gzip'd JSON with a format version, the model version and
/// the feature schema) for Blob storage.
/// </summary>
public sealed class ConversionModel
{
    public const string ModelName = "conversion";
    private const int Format = 1;

    private readonly FeatureSchema _schema;
    private readonly TreeEnsemble _trees;
    private readonly LinearModel _linear;
    private readonly ModelBlend _blend;
    private readonly double _treeFactor;
    private readonly double _linearFactor;
    private readonly double _constant;

    internal ConversionModel(
        string version, DateTimeOffset trainedAt, FeatureSchema schema, TreeEnsemble trees, LinearModel linear, ModelBlend blend, ConversionModelReport report)
    {
        Version = version;
        TrainedAt = trainedAt;
        _schema = schema;
        _trees = trees;
        _linear = linear;
        _blend = blend;
        Report = report;
        _treeFactor = blend.TreeFactor;
        _linearFactor = blend.LinearFactor;
        _constant = blend.Constant;
    }

    public string Version { get; }

    /// <summary>"conversion@{version}", the <c>model</c> of a score.</summary>
    public string Label => $"{ModelName}@{Version}";

    public DateTimeOffset TrainedAt { get; }

    public ConversionModelReport Report { get; }

    /// <summary>The features the model reads, in its order.</summary>
    public IReadOnlyList<string> Features => _schema.Columns.Select(c => c.Name).ToArray();

    /// <summary>The leads counted per bin of each of the model's columns: deciles, yes/no, categories, other, missing.</summary>
    public IReadOnlyList<ColumnPopulation> Populations(IEnumerable<LeadProfile> leads) => PopulationsOf(_schema, leads);

    internal static IReadOnlyList<ColumnPopulation> PopulationsOf(FeatureSchema schema, IEnumerable<LeadProfile> leads)
    {
        var counts = schema.Columns.Select(_ => new SortedDictionary<string, long>(StringComparer.Ordinal)).ToArray();
        foreach (var lead in leads)
        {
            var bins = schema.Bins(lead);
            for (var c = 0; c < bins.Length; c++)
            {
                counts[c][bins[c]] = counts[c].GetValueOrDefault(bins[c]) + 1;
            }
        }

        return [.. schema.Columns.Select((column, c) => new ColumnPopulation(column.Name, counts[c]))];
    }

    /// <summary>The probability that the lead converts, without explanations (the fast path for batches).</summary>
    public double PredictProbability(LeadProfile lead)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var buffer = ArrayPool<float>.Shared.Rent(_schema.TreeWidth + _schema.LinearWidth);
        try
        {
            var tree = buffer.AsSpan(0, _schema.TreeWidth);
            var linear = buffer.AsSpan(_schema.TreeWidth, _schema.LinearWidth);
            _schema.Encode(lead, tree, linear);
            return Sigmoid((_treeFactor * _trees.Score(tree)) + (_linearFactor * _linear.Score(linear)) + _constant);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Probabilities for many leads, in order, computed in parallel.</summary>
    public double[] PredictProbabilities(IReadOnlyList<LeadProfile> leads)
    {
        ArgumentNullException.ThrowIfNull(leads);
        var probabilities = new double[leads.Count];
        Parallel.ForEach(Partitioner.Create(0, leads.Count, 256), range =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                probabilities[i] = PredictProbability(leads[i]);
            }
        });
        return probabilities;
    }

    /// <summary>
    /// The probability with the <paramref name="factorsPerDirection"/> features that pushed it up most and down most.
    /// A feature's push is its share of the log-odds away from the average lead: the logistic regression's weight
    /// times the distance from the training mean, plus the trees' changes in expected output along the lead's path at
    /// the splits on that feature; all slots of one feature (its categories, missing indicator) add up.
    /// </summary>
    public ConversionPrediction Predict(LeadProfile lead, int factorsPerDirection = 3)
    {
        ArgumentNullException.ThrowIfNull(lead);
        var contributions = Explain(lead, out var logit);
        var factors = contributions
            .Select((c, i) => (Column: _schema.Columns[i].Name, LogOdds: c))
            .Where(f => Math.Abs(f.LogOdds) >= 0.005)
            .Select(f => new ModelFactor(f.Column, lead.ModelFeature(f.Column)?.Display ?? "not given", Math.Round(f.LogOdds, 4)))
            .ToArray();
        return new ConversionPrediction(
            Sigmoid(logit),
            factors.Where(f => f.LogOdds > 0).OrderByDescending(f => f.LogOdds).Take(factorsPerDirection).ToArray(),
            factors.Where(f => f.LogOdds < 0).OrderBy(f => f.LogOdds).Take(factorsPerDirection).ToArray());
    }

    /// <summary>Each feature's contribution to the log-odds; they add up to the lead's logit minus the average lead's.</summary>
    internal double[] Explain(LeadProfile lead, out double logit)
    {
        var tree = new float[_schema.TreeWidth];
        var linear = new float[_schema.LinearWidth];
        _schema.Encode(lead, tree, linear);
        var treeSlots = new double[tree.Length];
        var linearSlots = new double[linear.Length];
        _trees.Explain(tree, treeSlots);
        _linear.Explain(linear, linearSlots);

        var columns = new double[_schema.Columns.Count];
        for (var i = 0; i < treeSlots.Length; i++)
        {
            columns[_schema.TreeSlotColumn[i]] += _treeFactor * treeSlots[i];
        }

        for (var i = 0; i < linearSlots.Length; i++)
        {
            columns[_schema.LinearSlotColumn[i]] += _linearFactor * linearSlots[i];
        }

        logit = (_treeFactor * _trees.Score(tree)) + (_linearFactor * _linear.Score(linear)) + _constant;
        return columns;
    }

    /// <summary>The log-odds of the average training lead, from which the explanations start.</summary>
    internal double ExpectedLogit => (_treeFactor * _trees.ExpectedScore()) + (_linearFactor * _linear.ExpectedScore()) + _constant;

    internal static double Sigmoid(double logit) => 1 / (1 + Math.Exp(-logit));

    /// <summary>The model as bytes for Blob storage: gzip'd JSON with a format number, version, schema and report.</summary>
    public byte[] Serialize()
    {
        var document = new Document(
            Format, ModelName, Version, TrainedAt, _schema.Columns, _schema.Dropped, _trees, _linear, _blend, Report);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, document, StreamFlowJson.Options);
        }

        return output.ToArray();
    }

    /// <summary>Reads bytes written by <see cref="Serialize"/>; unreadable or unknown formats are a problem, not an exception.</summary>
    public static Result<ConversionModel> Load(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Document? document;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            document = JsonSerializer.Deserialize<Document>(gzip, StreamFlowJson.Options);
        }
        catch (Exception exception) when (exception is JsonException or InvalidDataException or NotSupportedException)
        {
            return new Problem(ProblemKind.Unprocessable, "The stored conversion model cannot be read; train a new one.");
        }

        if (document is null || document.Format != Format || document.Name != ModelName)
        {
            return new Problem(
                ProblemKind.Unprocessable,
                $"The stored conversion model has format {document?.Format}, and this version reads format {Format}; train a new one.");
        }

        return new ConversionModel(
            document.Version,
            document.TrainedAt,
            new FeatureSchema(document.Columns, document.Dropped),
            document.Trees,
            document.Linear,
            document.Blend,
            document.Report);
    }

    private sealed record Document(
        int Format,
        string Name,
        string Version,
        DateTimeOffset TrainedAt,
        [property: JsonPropertyName("features")] IReadOnlyList<FeatureColumn> Columns,
        IReadOnlyList<DroppedFeature> Dropped,
        TreeEnsemble Trees,
        LinearModel Linear,
        ModelBlend Blend,
        ConversionModelReport Report);
}
