namespace StreamFlow.Core.Billing.Pricing;

/// <summary>
/// A client's price over time: the row in effect on a day is the one with the latest effective date on or before it;
/// of rows with the same effective date, the one recorded last (a correction) wins.
/// </summary>
public sealed class PricingTimeline
{
    private readonly PricingTerms[] _byDate;

    public PricingTimeline(IEnumerable<PricingRecord> records)
    {
        _byDate = records
            .GroupBy(r => r.Terms.EffectiveFrom)
            .Select(g => g.MaxBy(r => r.RecordedAt)!.Terms)
            .OrderBy(t => t.EffectiveFrom)
            .ToArray();
    }

    public PricingTimeline(IEnumerable<PricingTerms> terms)
    {
        _byDate = terms.GroupBy(t => t.EffectiveFrom).Select(g => g.Last()).OrderBy(t => t.EffectiveFrom).ToArray();
    }

    public bool IsEmpty => _byDate.Length == 0;

    public DateOnly? FirstEffective => _byDate.Length == 0 ? null : _byDate[0].EffectiveFrom;

    /// <summary>The terms in effect on <paramref name="day"/>, or null before the first row.</summary>
    public PricingTerms? At(DateOnly day)
    {
        PricingTerms? found = null;
        foreach (var terms in _byDate)
        {
            if (terms.EffectiveFrom > day)
            {
                break;
            }

            found = terms;
        }

        return found;
    }
}
