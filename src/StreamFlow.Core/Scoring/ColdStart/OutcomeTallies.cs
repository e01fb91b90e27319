using System.Globalization;
using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Core.Scoring.ColdStart;

/// <summary>Leads with an outcome that had one value of one feature, how many were won, and how many businesses they came from.</summary>
public sealed record BucketTally(int Won, int Decided, int Businesses);

/// <summary>
/// One business's outcomes counted per feature value: the only thing a business gives its industry's pool. Values are
/// bucketed so that businesses can be added up (text lower-cased, numbers in powers of two, yes/no); localities
/// (city, postal code) and dates are left out: they do not carry from one business to another, and a rare one could
/// point at a customer.
/// </summary>
public sealed class OutcomeTallies
{
    private static readonly HashSet<string> LocalFeatures = ["City", "Postal Code"];
    private const int MaxBucketLength = 60;

    private readonly Dictionary<string, Dictionary<string, (int Won, int Decided)>> _features = new(StringComparer.Ordinal);

    public int Won { get; private set; }

    public int Decided { get; private set; }

    public static OutcomeTallies Of(IEnumerable<(LeadProfile Profile, bool Won)> leads)
    {
        ArgumentNullException.ThrowIfNull(leads);
        var tallies = new OutcomeTallies();
        foreach (var (profile, won) in leads)
        {
            tallies.Add(profile, won);
        }

        return tallies;
    }

    public IEnumerable<(string Feature, string Bucket, int Won, int Decided)> Buckets() =>
        _features.SelectMany(feature => feature.Value.Select(bucket => (feature.Key, bucket.Key, bucket.Value.Won, bucket.Value.Decided)));

    /// <summary>The pool's key for a lead's value of a feature, or null when the feature is not pooled.</summary>
    public static string? Bucket(string feature, AttributeValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (LocalFeatures.Contains(feature))
        {
            return null;
        }

        return value.Kind switch
        {
            AttributeKind.Text => value.Text!.Trim().ToLowerInvariant() is { Length: > 0 and <= MaxBucketLength } text ? text : null,
            AttributeKind.Boolean => value.Boolean!.Value ? "yes" : "no",
            AttributeKind.Number => NumberBucket(value.Number!.Value),
            _ => null,
        };
    }

    /// <summary>The bucketed features of one lead, as the pool reads them.</summary>
    public static IEnumerable<(string Feature, string Bucket, string Display)> BucketsOf(LeadProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        foreach (var (feature, value) in profile.ModelFeatures())
        {
            if (Bucket(feature, value) is { } bucket)
            {
                yield return (feature, bucket, value.Display);
            }
        }
    }

    private void Add(LeadProfile profile, bool won)
    {
        Decided++;
        Won += won ? 1 : 0;
        foreach (var (feature, bucket, _) in BucketsOf(profile))
        {
            if (!_features.TryGetValue(feature, out var buckets))
            {
                _features[feature] = buckets = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
            }

            var (w, d) = buckets.GetValueOrDefault(bucket);
            buckets[bucket] = (w + (won ? 1 : 0), d + 1);
        }
    }

    // 0, then [1, 2), [2, 4), [4, 8)… and the negative mirror: the same edges for every business, whatever its data.
    private static string NumberBucket(decimal number)
    {
        if (number == 0)
        {
            return "0";
        }

        var magnitude = (int)Math.Floor(Math.Log2((double)Math.Abs(number)));
        var edge = Math.Pow(2, Math.Max(magnitude, -4));
        return string.Create(CultureInfo.InvariantCulture, $"{(number < 0 ? "-" : "")}{edge:0.####}+");
    }
}
