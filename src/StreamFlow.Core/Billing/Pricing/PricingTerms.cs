using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Pricing;

/// <summary>How a discount reduces an invoice: a percentage of the charges, or a fixed monthly amount.</summary>
public static class DiscountKind
{
    public const string Percent = "percent";
    public const string Amount = "amount";
}

/// <summary>A discount; it applies up to and including <paramref name="EndsOn"/> (for ever when null).</summary>
public sealed record DiscountTerms(string Kind, decimal Value, DateOnly? EndsOn)
{
    public bool AppliesOn(DateOnly day) => EndsOn is null || day <= EndsOn.Value;
}

/// <summary>
/// One row of a client's price history: the terms in force from <paramref name="EffectiveFrom"/> until the next row.
/// Amounts are in <paramref name="Currency"/>; rates are fractions (0.25 = 25 %); a null tax rate means the configured default.
/// </summary>
public sealed record PricingTerms(
    DateOnly EffectiveFrom,
    Guid? PlanId,
    string Currency,
    decimal BaseFee,
    decimal SeatPrice,
    int IncludedLeads,
    decimal LeadPrice,
    decimal AiMarkupRate,
    DiscountTerms? Discount,
    int BillingDay,
    DateOnly? TrialEndsOn,
    decimal? TaxRate)
{
    /// <summary>True on days of the trial, when nothing is charged.</summary>
    public bool InTrialOn(DateOnly day) => TrialEndsOn is { } ends && day < ends;
}

/// <summary>A recorded price history row.</summary>
public sealed record PricingRecord(Guid Id, PricingTerms Terms, DateTimeOffset RecordedAt, string RecordedBy);

/// <summary>A discount as the API shows it: the value is a percentage, or an amount in the pricing's currency.</summary>
public sealed record PricingDiscount(string Kind, string Value, DateOnly? EndsOn);

/// <summary>A price history row as the API shows it.</summary>
public sealed record PricingEntry(
    Guid Id,
    DateOnly EffectiveFrom,
    Guid? PlanId,
    string Currency,
    Money BaseFee,
    Money SeatPrice,
    int IncludedLeads,
    Money LeadPrice,
    decimal AiMarkupPercent,
    PricingDiscount? Discount,
    int BillingDay,
    DateOnly? TrialEndsOn,
    decimal? TaxRatePercent,
    DateTimeOffset RecordedAt,
    string RecordedBy)
{
    public static PricingEntry From(PricingRecord record)
    {
        var t = record.Terms;
        return new PricingEntry(
            record.Id, t.EffectiveFrom, t.PlanId, t.Currency,
            Prices.Format(t.BaseFee, t.Currency), Prices.Format(t.SeatPrice, t.Currency), t.IncludedLeads, Prices.Format(t.LeadPrice, t.Currency),
            t.AiMarkupRate * 100m,
            t.Discount is { } d ? new PricingDiscount(d.Kind, d.Value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture), d.EndsOn) : null,
            t.BillingDay, t.TrialEndsOn, t.TaxRate * 100m, record.RecordedAt, record.RecordedBy);
    }
}

/// <summary>A client's price now (the row in effect today; null before the first one) and its whole history, newest first.</summary>
public sealed record TenantPricing(Guid TenantId, PricingEntry? Current, IReadOnlyList<PricingEntry> History);

/// <summary>
/// A price change as the provider sends it. With a plan, the plan's values are copied and any field given here
/// overrides them; without one, currency, baseFee, seatPrice, includedLeads and leadPrice are required. Money
/// values are decimal strings in <see cref="Currency"/>.
/// </summary>
public sealed record PricingChange(
    DateOnly? EffectiveFrom,
    Guid? PlanId,
    string? Currency,
    string? BaseFee,
    string? SeatPrice,
    int? IncludedLeads,
    string? LeadPrice,
    decimal? AiMarkupPercent,
    DiscountChange? Discount,
    int? BillingDay,
    DateOnly? TrialEndsOn,
    decimal? TaxRatePercent);

public sealed record DiscountChange(string? Kind, string? Value, DateOnly? EndsOn);
