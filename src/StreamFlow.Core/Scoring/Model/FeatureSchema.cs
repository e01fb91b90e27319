using System.Globalization;
using System.Text.Json.Serialization;
using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Core.Scoring.Model;

/// <summary>How the model reads one named feature.</summary>
public enum FeatureKind
{
    Numeric,
    Boolean,
    Categorical,
}

/// <summary>A feature the model does not use, and why (said so that the tenant understands it).</summary>
public sealed record DroppedFeature(string Name, string Reason);

/// <summary>
/// One feature column of the model, derived from the training leads: its kind, the statistics needed to encode it,
/// and where its slots sit in the tree and linear feature vectors.
/// </summary>
internal sealed record FeatureColumn
{
    public required string Name { get; init; }

    public required FeatureKind Kind { get; init; }

    public bool HasMissing { get; init; }

    /// <summary>Numeric: the value trees see for a missing number (the training median).</summary>
    public double Median { get; init; }

    /// <summary>Numeric: whether the linear model sees log(1 + x) (non-negative, skewed values).</summary>
    public bool LogTransform { get; init; }

    public double LinearMean { get; init; }

    public double LinearScale { get; init; } = 1;

    /// <summary>Numeric: decile edges; the linear model gets one "above this edge" slot per edge.</summary>
    public double[] BinEdges { get; init; } = [];

    /// <summary>Categorical: the values that occur often enough to get a slot of their own.</summary>
    public string[] Categories { get; init; } = [];

    /// <summary>Categorical: whether rarer values exist in training and share an "other" slot.</summary>
    public bool HasOther { get; init; }

    public int TreeOffset { get; init; }

    public int LinearOffset { get; init; }

    [JsonIgnore]
    public int TreeWidth => Kind switch
    {
        FeatureKind.Categorical => Categories.Length + (HasOther ? 1 : 0) + (HasMissing ? 1 : 0),
        _ => 1 + (HasMissing ? 1 : 0),
    };

    [JsonIgnore]
    public int LinearWidth => Kind switch
    {
        FeatureKind.Numeric => 1 + (HasMissing ? 1 : 0) + BinEdges.Length,
        _ => TreeWidth,
    };
}

/// <summary>Settings for deriving a feature schema from training leads.</summary>
public sealed record FeatureSchemaOptions
{
    /// <summary>A text value needs this many leads to get a slot of its own; rarer values share "other".</summary>
    public int MinCategoryCount { get; init; } = 10;

    /// <summary>At most this many values of one text feature get a slot (the most frequent ones).</summary>
    public int MaxCategories { get; init; } = 50;

    /// <summary>A text feature with more distinct values than this share of its leads is an identifier or free text.</summary>
    public double MaxDistinctShare { get; init; } = 0.5;
}

/// <summary>
/// The features of a tenant's model, derived generically from the attribute types of its training leads (no column
/// is known by name): numbers and dates become numeric features, yes/no values boolean ones and text categorical
/// ones. Missing values get their own indicator slot. Text with too many distinct values is dropped with a reason.
/// Encodes a lead into the tree vector (raw values, one-hot categories) and the linear vector (standardized values,
/// decile indicators, one-hot categories).
/// </summary>
internal sealed class FeatureSchema
{
    private readonly Dictionary<string, int> _columnIndex;
    private readonly Dictionary<string, int>[] _categorySlots;
    private readonly bool[] _isLeadField;

    public FeatureSchema(IReadOnlyList<FeatureColumn> columns, IReadOnlyList<DroppedFeature> dropped)
    {
        Columns = columns;
        Dropped = dropped;
        TreeWidth = columns.Sum(c => c.TreeWidth);
        LinearWidth = columns.Sum(c => c.LinearWidth);
        _columnIndex = columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        _categorySlots = columns
            .Select(c => c.Categories.Select((value, slot) => (value, slot)).ToDictionary(x => x.value, x => x.slot, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        _isLeadField = columns.Select(c => LeadProfile.ModelFieldLabels.Contains(c.Name)).ToArray();
        TreeSlotColumn = new int[TreeWidth];
        LinearSlotColumn = new int[LinearWidth];
        for (var i = 0; i < columns.Count; i++)
        {
            Array.Fill(TreeSlotColumn, i, columns[i].TreeOffset, columns[i].TreeWidth);
            Array.Fill(LinearSlotColumn, i, columns[i].LinearOffset, columns[i].LinearWidth);
        }
    }

    public IReadOnlyList<FeatureColumn> Columns { get; }

    public IReadOnlyList<DroppedFeature> Dropped { get; }

    public int TreeWidth { get; }

    public int LinearWidth { get; }

    /// <summary>For each tree slot, the index of the column it belongs to.</summary>
    public int[] TreeSlotColumn { get; }

    /// <summary>For each linear slot, the index of the column it belongs to.</summary>
    public int[] LinearSlotColumn { get; }

    public int? IndexOf(string name) => _columnIndex.TryGetValue(name, out var index) ? index : null;

    public static FeatureSchema Derive(IReadOnlyList<LeadProfile> leads, FeatureSchemaOptions options)
    {
        var values = new SortedDictionary<string, List<AttributeValue>>(StringComparer.Ordinal);
        foreach (var lead in leads)
        {
            foreach (var (name, value) in lead.ModelFeatures())
            {
                if (!values.TryGetValue(name, out var list))
                {
                    list = [];
                    values[name] = list;
                }

                list.Add(value);
            }
        }

        var columns = new List<FeatureColumn>();
        var dropped = new List<DroppedFeature>();
        int treeOffset = 0, linearOffset = 0;
        foreach (var (name, present) in values)
        {
            var missing = leads.Count - present.Count;
            var column = DeriveColumn(name, present, missing, options, out var reason);
            if (column is null)
            {
                dropped.Add(new DroppedFeature(name, reason!));
                continue;
            }

            column = column with { TreeOffset = treeOffset, LinearOffset = linearOffset };
            treeOffset += column.TreeWidth;
            linearOffset += column.LinearWidth;
            columns.Add(column);
        }

        return new FeatureSchema(columns, dropped);
    }

    private static FeatureColumn? DeriveColumn(string name, List<AttributeValue> present, int missing, FeatureSchemaOptions options, out string? reason)
    {
        reason = null;
        if (present.All(v => v.Kind is AttributeKind.Number or AttributeKind.Date))
        {
            var numbers = present.Select(NumericValue).Order().ToArray();
            if (missing == 0 && numbers[0] == numbers[^1])
            {
                reason = "has the same value for every lead";
                return null;
            }

            var log = numbers[0] >= 0;
            var transformed = numbers.Select(x => log ? Math.Log(1 + x) : x).ToArray();
            var mean = transformed.Average();
            var deviation = Math.Sqrt(transformed.Sum(x => (x - mean) * (x - mean)) / transformed.Length);
            var edges = Enumerable.Range(1, 9).Select(q => numbers[q * numbers.Length / 10]).Where(e => e < numbers[^1]).Distinct().ToArray();
            return new FeatureColumn
            {
                Name = name,
                Kind = FeatureKind.Numeric,
                HasMissing = missing > 0,
                Median = numbers[numbers.Length / 2],
                LogTransform = log,
                LinearMean = mean,
                LinearScale = deviation > 1e-12 ? deviation : 1,
                BinEdges = edges,
            };
        }

        if (present.All(v => v.Kind == AttributeKind.Boolean))
        {
            if (missing == 0 && present.All(v => v.Boolean == present[0].Boolean))
            {
                reason = "has the same value for every lead";
                return null;
            }

            return new FeatureColumn { Name = name, Kind = FeatureKind.Boolean, HasMissing = missing > 0 };
        }

        var counts = present.GroupBy(CategoryOf, StringComparer.OrdinalIgnoreCase).Select(g => (Value: g.Key, Count: g.Count())).ToList();
        if (counts.Count > 20 && counts.Count > options.MaxDistinctShare * present.Count)
        {
            reason = $"has {counts.Count.ToString("N0", CultureInfo.InvariantCulture)} different values among {present.Count.ToString("N0", CultureInfo.InvariantCulture)} leads, so it looks like an identifier or free text";
            return null;
        }

        var kept = counts.Where(c => c.Count >= options.MinCategoryCount)
            .OrderByDescending(c => c.Count).ThenBy(c => c.Value, StringComparer.Ordinal)
            .Take(options.MaxCategories).Select(c => c.Value).ToArray();
        var hasOther = kept.Length < counts.Count;
        if (kept.Length == 0)
        {
            reason = $"has no value that occurs in at least {options.MinCategoryCount} leads";
            return null;
        }

        if (kept.Length == 1 && !hasOther && missing == 0)
        {
            reason = "has the same value for every lead";
            return null;
        }

        return new FeatureColumn { Name = name, Kind = FeatureKind.Categorical, HasMissing = missing > 0, Categories = kept, HasOther = hasOther };
    }

    /// <summary>Numbers as themselves, dates as days since 1970-01-01.</summary>
    public static double NumericValue(AttributeValue value) => value.Kind == AttributeKind.Date
        ? (value.Date!.Value - DateTimeOffset.UnixEpoch).TotalDays
        : (double)value.Number!.Value;

    /// <summary>Text categories compare ignoring case and surrounding spaces.</summary>
    public static string CategoryOf(AttributeValue value) => value.Kind == AttributeKind.Text ? value.Text!.Trim() : value.AsText();

    /// <summary>Writes the lead's tree and linear vectors (each of its schema width).</summary>
    public void Encode(LeadProfile lead, Span<float> tree, Span<float> linear)
    {
        tree.Clear();
        linear.Clear();
        for (var c = 0; c < Columns.Count; c++)
        {
            var column = Columns[c];
            var value = AttributeOf(lead, c);

            var t = tree.Slice(column.TreeOffset, column.TreeWidth);
            var l = linear.Slice(column.LinearOffset, column.LinearWidth);
            switch (column.Kind)
            {
                case FeatureKind.Numeric:
                    EncodeNumeric(column, value is { Kind: AttributeKind.Number or AttributeKind.Date } ? NumericValue(value) : null, t, l);
                    break;
                case FeatureKind.Boolean:
                    var flag = value?.Kind == AttributeKind.Boolean ? value.Boolean : null;
                    t[0] = l[0] = flag == true ? 1 : 0;
                    if (column.HasMissing && flag is null)
                    {
                        t[1] = l[1] = 1;
                    }

                    break;
                default:
                    var category = CategoryText(lead, c, value);
                    var slot = CategorySlot(column, _categorySlots[c], category);
                    if (slot >= 0)
                    {
                        t[slot] = l[slot] = 1;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// The lead's bin in each column, for drift: a numeric column's decile ("≤ edge" or "> last edge"), yes/no, a
    /// category, "other" (a value without a slot of its own) or "missing".
    /// </summary>
    public string[] Bins(LeadProfile lead)
    {
        var bins = new string[Columns.Count];
        for (var c = 0; c < Columns.Count; c++)
        {
            var column = Columns[c];
            var value = AttributeOf(lead, c);
            bins[c] = column.Kind switch
            {
                FeatureKind.Numeric => value is { Kind: AttributeKind.Number or AttributeKind.Date } ? NumericBin(column, NumericValue(value)) : MissingBin,
                FeatureKind.Boolean => value?.Kind == AttributeKind.Boolean ? (value.Boolean == true ? "yes" : "no") : MissingBin,
                _ => CategoryBin(column, _categorySlots[c], CategoryText(lead, c, value)),
            };
        }

        return bins;
    }

    private const string MissingBin = "missing";

    private static string NumericBin(FeatureColumn column, double x)
    {
        var edge = Array.FindIndex(column.BinEdges, e => x <= e);
        return edge >= 0
            ? "<= " + column.BinEdges[edge].ToString("G6", CultureInfo.InvariantCulture)
            : column.BinEdges.Length == 0 ? "any" : "> " + column.BinEdges[^1].ToString("G6", CultureInfo.InvariantCulture);
    }

    private static string CategoryBin(FeatureColumn column, Dictionary<string, int> slots, string? category) =>
        category is null ? MissingBin : slots.TryGetValue(category, out var slot) ? column.Categories[slot] : "other";

    /// <summary>Column <paramref name="c"/>'s attribute on the lead; null for a lead field (read as text) or when missing.</summary>
    private AttributeValue? AttributeOf(LeadProfile lead, int c) => _isLeadField[c] ? null : lead.Attributes?.GetValueOrDefault(Columns[c].Name);

    /// <summary>Column <paramref name="c"/> read as a category: the lead field's text or the attribute's, trimmed; null when missing.</summary>
    private string? CategoryText(LeadProfile lead, int c, AttributeValue? value) =>
        _isLeadField[c] ? Trimmed(lead.ModelFieldText(Columns[c].Name)) : value is null ? null : CategoryOf(value);

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static void EncodeNumeric(FeatureColumn column, double? number, Span<float> tree, Span<float> linear)
    {
        if (number is not { } x)
        {
            tree[0] = (float)column.Median;
            if (column.HasMissing)
            {
                tree[1] = linear[1] = 1;
            }

            return; // The linear model sees the mean (0 after standardizing) plus the missing indicator.
        }

        tree[0] = (float)x;
        var transformed = column.LogTransform ? Math.Log(1 + Math.Max(0, x)) : x;
        linear[0] = (float)Math.Clamp((transformed - column.LinearMean) / column.LinearScale, -5, 5);
        var bins = linear[(column.HasMissing ? 2 : 1)..];
        for (var i = 0; i < column.BinEdges.Length; i++)
        {
            bins[i] = x > column.BinEdges[i] ? 1 : 0;
        }
    }

    private static int CategorySlot(FeatureColumn column, Dictionary<string, int> slots, string? category)
    {
        var categories = column.Categories.Length;
        if (category is null)
        {
            return column.HasMissing ? categories + (column.HasOther ? 1 : 0) : -1;
        }

        return slots.TryGetValue(category, out var slot) ? slot : column.HasOther ? categories : -1;
    }
}
