using System.Globalization;
using StreamFlow.Core.Billing.Pricing;

namespace StreamFlow.Core.Billing.Calculation;

/// <summary>What a client used on one UTC day, from the usage events (seat-days, leads created, AI billable USD).</summary>
public sealed record DailyUsage(DateOnly Day, decimal Seats, decimal LeadsCreated, decimal AiBillableUsd);

/// <summary>An invoice line before it is stored: the amount is rounded to the currency's minor unit.</summary>
public sealed record CalculatedLine(
    string LineType, string Description, decimal Quantity, decimal UnitAmount, decimal Amount, DateOnly PeriodStart, DateOnly PeriodEnd);

/// <summary>An invoice's amounts: totals are sums of the rounded lines; discountTotal is positive, discount lines negative.</summary>
public sealed record InvoiceCalculation(
    string Currency,
    IReadOnlyList<CalculatedLine> Lines,
    decimal Subtotal,
    decimal DiscountTotal,
    decimal TaxRate,
    decimal TaxTotal,
    decimal Total);

/// <summary>
/// Computes one period's invoice from the price history and the daily usage. Pure: no I/O, no clock.
/// <list type="bullet">
/// <item>Each day is priced by the terms in effect that day; days before the first price or before the trial ends are not charged.</item>
/// <item>Consecutive charged days under the same terms form a segment. Base fee and seats are prorated by day within
/// each segment over the full month's days (the month ending on the period's end): base fee × days / month days,
/// seat price × seat-days / month days; one line per segment.</item>
/// <item>Lead overage: leads created on charged days beyond the included leads, at the lead price — both taken from
/// the terms in effect on the period's last charged day (included leads are not prorated).</item>
/// <item>AI usage: the ledger's billable USD (cost plus the markup in force at the time of each call) on charged
/// days, converted at the configured USD rate of the invoice currency.</item>
/// <item>Discounts, per segment, only on days up to their end date: a percent discount takes its share of the
/// segment's base fee and seats and of the usage lines (prorated by active days); an amount discount is a monthly
/// amount prorated by active days over the month's days. Together they never exceed the subtotal.</item>
/// <item>Tax: the rate of the last charged day's terms (or the configured default) on subtotal minus discounts.</item>
/// <item>Every line is rounded half away from zero to the currency's minor unit; totals are sums of rounded lines.</item>
/// </list>
/// </summary>
public static class InvoiceCalculator
{
    /// <summary>The invoice of <paramref name="period"/>, or null when no day of it has a price.</summary>
    public static InvoiceCalculation? Calculate(
        BillingPeriod period,
        PricingTimeline pricing,
        IReadOnlyList<DailyUsage> usage,
        decimal defaultTaxRate,
        IReadOnlyDictionary<string, decimal> usdRates)
    {
        var monthDays = period.End.DayNumber - period.End.AddMonths(-1).DayNumber;
        var usageByDay = usage.ToDictionary(u => u.Day);
        var segments = Segments(period, pricing);
        var last = pricing.At(period.End.AddDays(-1));
        if (last is null)
        {
            return null;
        }

        var currency = last.Currency;
        if (segments.Any(s => s.Terms.Currency != currency))
        {
            throw new InvalidOperationException($"The period {period.Start:yyyy-MM-dd} to {period.End:yyyy-MM-dd} is priced in more than one currency.");
        }

        var lines = new List<CalculatedLine>();
        var segmentCharges = new Dictionary<Segment, decimal>();
        foreach (var segment in segments)
        {
            var full = segment.Days == monthDays;
            var range = full ? "" : $" {segment.Start:yyyy-MM-dd} to {segment.End.AddDays(-1):yyyy-MM-dd} ({segment.Days} of {monthDays} days)";
            var charged = 0m;
            if (segment.Terms.BaseFee > 0m)
            {
                var amount = Currencies.Round(segment.Terms.BaseFee * segment.Days / monthDays, currency);
                lines.Add(new CalculatedLine(InvoiceLineType.BaseFee, $"Base fee{range}", segment.Days, UnitRate(segment.Terms.BaseFee / monthDays), amount, segment.Start, segment.End));
                charged += amount;
            }

            var seatDays = segment.DaysIn().Sum(day => usageByDay.GetValueOrDefault(day)?.Seats ?? 0m);
            if (seatDays > 0m)
            {
                var amount = Currencies.Round(seatDays * segment.Terms.SeatPrice / monthDays, currency);
                lines.Add(new CalculatedLine(InvoiceLineType.Seats, $"Seats: {Number(seatDays)} seat-days{range}", seatDays, UnitRate(segment.Terms.SeatPrice / monthDays), amount, segment.Start, segment.End));
                charged += amount;
            }

            segmentCharges[segment] = charged;
        }

        var chargedDays = segments.SelectMany(s => s.DaysIn()).ToList();
        var usageLines = new List<CalculatedLine>();
        var lastCharged = segments.Count > 0 ? segments[^1].Terms : last;
        var leads = chargedDays.Sum(day => usageByDay.GetValueOrDefault(day)?.LeadsCreated ?? 0m);
        var overage = leads - lastCharged.IncludedLeads;
        if (overage > 0m && lastCharged.LeadPrice > 0m)
        {
            usageLines.Add(new CalculatedLine(
                InvoiceLineType.LeadOverage, $"Leads beyond the {lastCharged.IncludedLeads} included: {Number(overage)} of {Number(leads)} created",
                overage, lastCharged.LeadPrice, Currencies.Round(overage * lastCharged.LeadPrice, currency), period.Start, period.End));
        }

        var aiUsd = chargedDays.Sum(day => usageByDay.GetValueOrDefault(day)?.AiBillableUsd ?? 0m);
        if (aiUsd > 0m)
        {
            var rate = currency == "USD" ? 1m
                : usdRates.TryGetValue(currency, out var configured) && configured > 0m ? configured
                : throw new InvalidOperationException($"No USD exchange rate is configured for {currency} (Billing:UsdExchangeRates:{currency}).");
            var description = currency == "USD"
                ? $"AI usage: {aiUsd.ToString("0.00", CultureInfo.InvariantCulture)} USD including markup"
                : $"AI usage: {aiUsd.ToString("0.00", CultureInfo.InvariantCulture)} USD including markup, at 1 USD = {Number(rate)} {currency}";
            usageLines.Add(new CalculatedLine(
                InvoiceLineType.AiUsage, description, decimal.Round(aiUsd, 6), rate, Currencies.Round(aiUsd * rate, currency), period.Start, period.End));
        }

        lines.AddRange(usageLines);
        var subtotal = lines.Sum(l => l.Amount);
        var usageTotal = usageLines.Sum(l => l.Amount);

        var discountTotal = 0m;
        foreach (var segment in segments.Where(s => s.Terms.Discount is not null))
        {
            var discount = segment.Terms.Discount!;
            var activeDays = segment.DaysIn().Count(discount.AppliesOn);
            if (activeDays == 0)
            {
                continue;
            }

            var amount = discount.Kind == DiscountKind.Percent
                ? Currencies.Round(
                    (segmentCharges[segment] * activeDays / segment.Days + usageTotal * activeDays / chargedDays.Count) * discount.Value / 100m, currency)
                : Currencies.Round(discount.Value * activeDays / monthDays, currency);
            amount = Math.Min(amount, subtotal - discountTotal);
            if (amount <= 0m)
            {
                continue;
            }

            var activeEnd = segment.DaysIn().Where(discount.AppliesOn).Max().AddDays(1);
            var what = discount.Kind == DiscountKind.Percent ? $"{Number(discount.Value)}%" : $"{Number(discount.Value)} {currency} per month";
            lines.Add(new CalculatedLine(
                InvoiceLineType.Discount, $"Discount {what}, {segment.Start:yyyy-MM-dd} to {activeEnd.AddDays(-1):yyyy-MM-dd}",
                activeDays, discount.Value, -amount, segment.Start, activeEnd));
            discountTotal += amount;
        }

        var taxRate = lastCharged.TaxRate ?? defaultTaxRate;
        var tax = Currencies.Round((subtotal - discountTotal) * taxRate, currency);
        return new InvoiceCalculation(currency, lines, subtotal, discountTotal, taxRate, tax, subtotal - discountTotal + tax);
    }

    private static List<Segment> Segments(BillingPeriod period, PricingTimeline pricing)
    {
        var segments = new List<Segment>();
        for (var day = period.Start; day < period.End; day = day.AddDays(1))
        {
            var terms = pricing.At(day);
            if (terms is null || terms.InTrialOn(day))
            {
                continue;
            }

            if (segments.Count > 0 && ReferenceEquals(segments[^1].Terms, terms) && segments[^1].End == day)
            {
                segments[^1] = segments[^1] with { End = day.AddDays(1) };
            }
            else
            {
                segments.Add(new Segment(terms, day, day.AddDays(1)));
            }
        }

        return segments;
    }

    private static decimal UnitRate(decimal value) => decimal.Round(value, 10, MidpointRounding.AwayFromZero);

    private static string Number(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>Consecutive charged days [Start, End) under the same terms.</summary>
    private sealed record Segment(PricingTerms Terms, DateOnly Start, DateOnly End)
    {
        public int Days => End.DayNumber - Start.DayNumber;

        public IEnumerable<DateOnly> DaysIn()
        {
            for (var day = Start; day < End; day = day.AddDays(1))
            {
                yield return day;
            }
        }
    }
}
