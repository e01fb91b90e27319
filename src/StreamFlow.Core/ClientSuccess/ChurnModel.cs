using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamFlow.Core.ClientSuccess;

/// <summary>A factor's part in one business's score: its measured value and how far it moved the log-odds of churning.</summary>
public sealed record FactorContribution(string Factor, string Title, double Value, double Contribution, string Detail);

/// <summary>
/// A logistic model over <see cref="ChurnFactors"/>: each factor is standardised with the training set's mean and
/// standard deviation, so a factor's contribution (weight × standardised value) says how much it moved this business
/// away from the average client, in log-odds. Those contributions, largest first, are the reasons.
/// </summary>
public sealed record ChurnModel(
    string Version, string TrainedOn, int HorizonDays, double Intercept,
    IReadOnlyList<string> Factors, IReadOnlyList<double> Means, IReadOnlyList<double> Scales, IReadOnlyList<double> Weights)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The model shipped with StreamFlow, fitted by bench/churn (docs/client-success.md says on what).</summary>
    public static ChurnModel Default => Shipped.Value;

    // Loaded on first use, not with the type: refitting (bench/churn) uses this type while the file may not match yet.
    private static readonly Lazy<ChurnModel> Shipped = new(Load);

    public double Probability(double[] values) => Sigmoid(Intercept + Contributions(values).Sum());

    public double[] Contributions(double[] values)
    {
        var contributions = new double[Weights.Count];
        for (var i = 0; i < contributions.Length; i++)
        {
            contributions[i] = Weights[i] * (values[i] - Means[i]) / Scales[i];
        }

        return contributions;
    }

    public IReadOnlyList<FactorContribution> Explain(ChurnSignals signals)
    {
        var values = ChurnFactors.Measure(signals);
        var contributions = Contributions(values);
        return ChurnFactors.All
            .Select((factor, i) => new FactorContribution(factor.Name, factor.Title, Math.Round(values[i], 4), Math.Round(contributions[i], 4), factor.Describe(signals)))
            .ToList();
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ChurnModel FromJson(string json)
    {
        var model = JsonSerializer.Deserialize<ChurnModel>(json, Json) ?? throw new InvalidDataException("The churn model is empty.");
        var expected = ChurnFactors.All.Select(f => f.Name).ToList();
        if (!model.Factors.SequenceEqual(expected) || model.Means.Count != expected.Count || model.Scales.Count != expected.Count
            || model.Weights.Count != expected.Count)
        {
            throw new InvalidDataException("The churn model's factors are not ChurnFactors.All: refit it with bench/churn.");
        }

        return model;
    }

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static ChurnModel Load()
    {
        using var stream = typeof(ChurnModel).Assembly.GetManifestResourceStream("StreamFlow.Core.ClientSuccess.churn-model.json")
            ?? throw new InvalidOperationException("churn-model.json is not embedded.");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }
}

/// <summary>One labelled example: a business's factor values at a cutoff and whether it left within the horizon.</summary>
public sealed record ChurnExample(double[] Values, bool Churned);

/// <summary>
/// Fits <see cref="ChurnModel"/> by full-batch gradient descent on the L2-penalised log-loss: deterministic, so the
/// same history always gives the same weights. Weights of monotone factors are projected onto zero or above after each
/// step: correlated drops (sign-ins and leads fall together) would otherwise get weights of opposite signs, and a
/// business would be told its risk rose because its leads did.
/// </summary>
public static class ChurnModelTrainer
{
    /// <param name="factors">The factors the examples' values were measured with; <see cref="ChurnFactors.All"/> unless a
    /// backtest compares candidates (a model to ship must use <see cref="ChurnFactors.All"/>, which loading checks).</param>
    public static ChurnModel Fit(IReadOnlyList<ChurnExample> examples, string version, string trainedOn, int horizonDays,
        double l2 = 0.1, int iterations = 3000, double learningRate = 0.5, IReadOnlyList<ChurnFactor>? factors = null)
    {
        factors ??= ChurnFactors.All;
        if (examples.Count == 0 || examples.All(e => e.Churned) || examples.All(e => !e.Churned))
        {
            throw new ArgumentException("Fitting needs examples of both outcomes.", nameof(examples));
        }

        var count = factors.Count;
        var means = new double[count];
        var scales = new double[count];
        for (var j = 0; j < count; j++)
        {
            means[j] = examples.Average(e => e.Values[j]);
            var variance = examples.Average(e => (e.Values[j] - means[j]) * (e.Values[j] - means[j]));
            scales[j] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }

        var x = examples.Select(e => e.Values.Select((v, j) => (v - means[j]) / scales[j]).ToArray()).ToArray();
        var y = examples.Select(e => e.Churned ? 1.0 : 0.0).ToArray();
        var weights = new double[count];
        var rate = y.Average();
        var intercept = Math.Log(rate / (1 - rate));
        var gradient = new double[count];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            Array.Clear(gradient);
            var interceptGradient = 0.0;
            for (var i = 0; i < x.Length; i++)
            {
                var z = intercept;
                for (var j = 0; j < count; j++)
                {
                    z += weights[j] * x[i][j];
                }

                var error = ChurnModel.Sigmoid(z) - y[i];
                interceptGradient += error;
                for (var j = 0; j < count; j++)
                {
                    gradient[j] += error * x[i][j];
                }
            }

            intercept -= learningRate * interceptGradient / x.Length;
            for (var j = 0; j < count; j++)
            {
                weights[j] -= learningRate * (gradient[j] / x.Length + l2 * weights[j]);
                if (factors[j].Monotone && weights[j] < 0)
                {
                    weights[j] = 0;
                }
            }
        }

        return new ChurnModel(version, trainedOn, horizonDays, Math.Round(intercept, 6), factors.Select(f => f.Name).ToList(),
            means.Select(m => Math.Round(m, 6)).ToList(), scales.Select(s => Math.Round(s, 6)).ToList(), weights.Select(w => Math.Round(w, 6)).ToList());
    }
}

/// <summary>How well a score ranks churners: the measures bench/churn prints for the model and the baseline.</summary>
public static class ChurnEvaluation
{
    /// <summary>Area under the ROC curve: the chance a churner scores above a stayer, ties counting half.</summary>
    public static double Auc(IReadOnlyList<(double Score, bool Churned)> scored)
    {
        var ranked = scored.OrderBy(s => s.Score).ToList();
        var positives = ranked.Count(s => s.Churned);
        var negatives = ranked.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("AUC needs both outcomes.", nameof(scored));
        }

        // Mann-Whitney U with average ranks for ties.
        var rankSum = 0.0;
        for (var i = 0; i < ranked.Count;)
        {
            var j = i;
            while (j < ranked.Count && ranked[j].Score == ranked[i].Score)
            {
                j++;
            }

            var averageRank = (i + 1 + j) / 2.0;
            rankSum += averageRank * ranked.Skip(i).Take(j - i).Count(s => s.Churned);
            i = j;
        }

        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>The share of churners among the highest-scored <paramref name="fraction"/> (rounded up; ties by order given).</summary>
    public static double PrecisionAtTop(IReadOnlyList<(double Score, bool Churned)> scored, double fraction)
    {
        var take = Math.Max(1, (int)Math.Ceiling(scored.Count * fraction));
        return scored.OrderByDescending(s => s.Score).Take(take).Count(s => s.Churned) / (double)take;
    }
}
