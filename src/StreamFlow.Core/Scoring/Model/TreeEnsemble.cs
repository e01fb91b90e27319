using System.Text.Json.Serialization;
using Microsoft.ML.Trainers.FastTree;

namespace StreamFlow.Core.Scoring.Model;

/// <summary>
/// Boosted regression trees copied out of a trained FastTree model into flat arrays, so that scoring needs neither
/// ML.NET nor its model format. A tree's children are local node indexes, or <c>~leaf</c> for a leaf. Each internal
/// node also keeps the mean output of the training leads that passed through it, which attributes a prediction to
/// the features split on along its path (the path attribution of treeinterpreter / Saabas).
/// </summary>
internal sealed class TreeEnsemble
{
    public required int[] NodeStart { get; init; }

    public required int[] LeafStart { get; init; }

    public required int[] SplitSlot { get; init; }

    public required float[] Threshold { get; init; }

    public required int[] Left { get; init; }

    public required int[] Right { get; init; }

    /// <summary>Leaf outputs, already multiplied by their tree's weight.</summary>
    public required double[] LeafValue { get; init; }

    /// <summary>Mean weighted output of the training leads that reached each internal node.</summary>
    public required double[] NodeValue { get; init; }

    public double Bias { get; init; }

    [JsonIgnore]
    public int TreeCount => NodeStart.Length - 1;

    /// <summary>
    /// The same nodes packed 16 bytes each with both children side by side, the layout the scoring loop walks (built
    /// on first use): the next node is picked by index, not by a branch, since a mispredicted branch per split costs
    /// more than the rest of the walk.
    /// </summary>
    private Node[] Nodes => _nodes ??= SplitSlot.Select((slot, i) => new Node(slot, Threshold[i], new Children(Left[i], Right[i]))).ToArray();

    private Node[]? _nodes;

    private readonly record struct Node(int Slot, float Threshold, Children Children);

    [System.Runtime.CompilerServices.InlineArray(2)]
    private struct Children
    {
        private int _left;

        public Children(int left, int right)
        {
            this[0] = left;
            this[1] = right;
        }
    }

    public static TreeEnsemble From(RegressionTreeEnsemble trained)
    {
        int[] nodeStart = new int[trained.Trees.Count + 1], leafStart = new int[trained.Trees.Count + 1];
        for (var t = 0; t < trained.Trees.Count; t++)
        {
            var tree = trained.Trees[t];
            if (tree.CategoricalSplitFlags.Any(flag => flag))
            {
                throw new InvalidOperationException("Categorical splits are not supported; categories are one-hot encoded.");
            }

            nodeStart[t + 1] = nodeStart[t] + tree.NumberOfNodes;
            leafStart[t + 1] = leafStart[t] + tree.NumberOfLeaves;
        }

        var nodes = nodeStart[^1];
        int[] split = new int[nodes], left = new int[nodes], right = new int[nodes];
        var threshold = new float[nodes];
        var leaves = new double[leafStart[^1]];
        for (var t = 0; t < trained.Trees.Count; t++)
        {
            var tree = trained.Trees[t];
            var weight = trained.TreeWeights[t];
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                split[nodeStart[t] + n] = tree.NumericalSplitFeatureIndexes[n];
                threshold[nodeStart[t] + n] = tree.NumericalSplitThresholds[n];
                left[nodeStart[t] + n] = tree.LeftChild[n];
                right[nodeStart[t] + n] = tree.RightChild[n];
            }

            for (var l = 0; l < tree.NumberOfLeaves; l++)
            {
                leaves[leafStart[t] + l] = weight * tree.LeafValues[l];
            }
        }

        return new TreeEnsemble
        {
            NodeStart = nodeStart,
            LeafStart = leafStart,
            SplitSlot = split,
            Threshold = threshold,
            Left = left,
            Right = right,
            LeafValue = leaves,
            NodeValue = new double[nodes],
            Bias = trained.Bias,
        };
    }

    /// <summary>Sets each internal node's value to the mean output of the given training vectors that reach it.</summary>
    public void ComputeNodeValues(IReadOnlyList<float[]> training)
    {
        var sums = new double[NodeValue.Length];
        var counts = new int[NodeValue.Length];
        foreach (var x in training)
        {
            for (var t = 0; t < TreeCount; t++)
            {
                if (NodeStart[t + 1] == NodeStart[t])
                {
                    continue;
                }

                var path = new List<int>(8);
                var node = 0;
                while (node >= 0)
                {
                    path.Add(NodeStart[t] + node);
                    node = x[SplitSlot[NodeStart[t] + node]] <= Threshold[NodeStart[t] + node] ? Left[NodeStart[t] + node] : Right[NodeStart[t] + node];
                }

                var output = LeafValue[LeafStart[t] + ~node];
                foreach (var visited in path)
                {
                    sums[visited] += output;
                    counts[visited]++;
                }
            }
        }

        for (var n = 0; n < NodeValue.Length; n++)
        {
            NodeValue[n] = counts[n] > 0 ? sums[n] / counts[n] : 0;
        }
    }

    public double Score(ReadOnlySpan<float> x)
    {
        var nodes = Nodes;
        var sum = Bias;
        for (var t = 0; t < TreeCount; t++)
        {
            var start = NodeStart[t];
            var node = NodeStart[t + 1] > start ? 0 : ~0;
            while (node >= 0)
            {
                ref readonly var split = ref nodes[start + node];
                node = split.Children[x[split.Slot] <= split.Threshold ? 0 : 1];
            }

            sum += LeafValue[LeafStart[t] + ~node];
        }

        return sum;
    }

    /// <summary>The expected score before any feature is looked at: the bias plus every tree's root value.</summary>
    public double ExpectedScore()
    {
        var sum = Bias;
        for (var t = 0; t < TreeCount; t++)
        {
            sum += NodeStart[t + 1] > NodeStart[t] ? NodeValue[NodeStart[t]] : LeafValue[LeafStart[t]];
        }

        return sum;
    }

    /// <summary>Adds to <paramref name="slotContributions"/> how much each slot moved the score away from the expected one.</summary>
    public void Explain(ReadOnlySpan<float> x, Span<double> slotContributions)
    {
        for (var t = 0; t < TreeCount; t++)
        {
            var start = NodeStart[t];
            if (NodeStart[t + 1] == start)
            {
                continue;
            }

            var node = 0;
            while (node >= 0)
            {
                var i = start + node;
                var next = x[SplitSlot[i]] <= Threshold[i] ? Left[i] : Right[i];
                var nextValue = next >= 0 ? NodeValue[start + next] : LeafValue[LeafStart[t] + ~next];
                slotContributions[SplitSlot[i]] += nextValue - NodeValue[i];
                node = next;
            }
        }
    }
}
