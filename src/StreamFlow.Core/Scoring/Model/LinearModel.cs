namespace StreamFlow.Core.Scoring.Model;

/// <summary>A logistic regression's weights over the linear feature vector, with each slot's training mean for explanations.</summary>
internal sealed class LinearModel
{
    public required float[] Weights { get; init; }

    public required double Bias { get; init; }

    /// <summary>The mean of each slot over the training leads: a slot explains w × (x − mean).</summary>
    public required double[] SlotMeans { get; init; }

    public double Score(ReadOnlySpan<float> x)
    {
        var sum = Bias;
        for (var i = 0; i < Weights.Length; i++)
        {
            sum += Weights[i] * x[i];
        }

        return sum;
    }

    public double ExpectedScore()
    {
        var sum = Bias;
        for (var i = 0; i < Weights.Length; i++)
        {
            sum += Weights[i] * SlotMeans[i];
        }

        return sum;
    }

    public void Explain(ReadOnlySpan<float> x, Span<double> slotContributions)
    {
        for (var i = 0; i < Weights.Length; i++)
        {
            slotContributions[i] += Weights[i] * (x[i] - SlotMeans[i]);
        }
    }

    public static double[] MeansOf(IReadOnlyList<float[]> vectors, int width)
    {
        var means = new double[width];
        foreach (var x in vectors)
        {
            for (var i = 0; i < width; i++)
            {
                means[i] += x[i];
            }
        }

        for (var i = 0; i < width; i++)
        {
            means[i] /= Math.Max(1, vectors.Count);
        }

        return means;
    }
}
