namespace StreamFlow.Core.Billing;

/// <summary>A client's price terms that make its monthly recurring revenue.</summary>
internal sealed record RecurringPrice(decimal BaseFee, decimal SeatPrice, string? DiscountKind, decimal? DiscountValue, DateOnly? DiscountEndsOn, DateOnly? TrialEndsOn);

/// <summary>How a currency's recurring revenue moved from one month to the next, summed over clients.</summary>
internal sealed record RecurringMovement(
    DateOnly Month,
    string Currency,
    decimal Mrr,
    decimal NewMrr,
    decimal ExpansionMrr,
    decimal ContractionMrr,
    decimal ChurnedMrr,
    int Clients,
    int NewClients,
    int ChurnedClients);

/// <summary>The arithmetic of monthly recurring revenue (MRR); no I/O, so the rules are tested on their own.</summary>
internal static class RecurringRevenue
{
    /// <summary>
    /// The MRR a price gives today: base fee plus seats times the seat price, less an unexpired discount (a percentage
    /// of it, or an amount, never below zero), rounded half away from zero to cents. Nothing while the trial runs
    /// (today before its end date).
    /// </summary>
    public static decimal Monthly(RecurringPrice price, long seats, DateOnly today)
    {
        if (price.TrialEndsOn is { } trialEnd && today < trialEnd)
        {
            return 0m;
        }

        var recurring = price.BaseFee + seats * price.SeatPrice;
        if (price.DiscountKind is { } kind && price.DiscountValue is { } value && (price.DiscountEndsOn is null || today <= price.DiscountEndsOn))
        {
            recurring = kind == "percent" ? recurring * (1m - value / 100m) : Math.Max(recurring - value, 0m);
        }

        return decimal.Round(recurring, 2, MidpointRounding.AwayFromZero);
    }

    public static bool InTrial(RecurringPrice price, DateOnly today) => price.TrialEndsOn is { } trialEnd && today < trialEnd;

    /// <summary>
    /// Month-over-month movements per currency for each month from <paramref name="firstMonth"/> to <paramref name="lastMonth"/>,
    /// given each client's recurring amount per month (the month before the first must be in it to classify the first).
    /// A client with recurring revenue this month and none the month before is new; the reverse is churned (its last
    /// month's amount); one that pays more is expansion, less is contraction.
    /// </summary>
    public static IReadOnlyList<RecurringMovement> Movements(
        IReadOnlyDictionary<(Guid Client, string Currency, DateOnly Month), decimal> recurring, DateOnly firstMonth, DateOnly lastMonth)
    {
        var currencies = recurring.Keys.Select(k => k.Currency).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var clients = recurring.Keys.Select(k => (k.Client, k.Currency)).Distinct().ToList();
        var movements = new List<RecurringMovement>();
        for (var month = firstMonth; month <= lastMonth; month = month.AddMonths(1))
        {
            foreach (var currency in currencies)
            {
                decimal mrr = 0, added = 0, expansion = 0, contraction = 0, churned = 0;
                int paying = 0, newClients = 0, churnedClients = 0;
                foreach (var (client, _) in clients.Where(c => c.Currency == currency))
                {
                    var now = Math.Max(recurring.GetValueOrDefault((client, currency, month)), 0m);
                    var before = Math.Max(recurring.GetValueOrDefault((client, currency, month.AddMonths(-1))), 0m);
                    mrr += now;
                    paying += now > 0 ? 1 : 0;
                    switch (before, now)
                    {
                        case (0m, > 0m):
                            added += now;
                            newClients++;
                            break;
                        case (> 0m, 0m):
                            churned += before;
                            churnedClients++;
                            break;
                        case (> 0m, > 0m) when now > before:
                            expansion += now - before;
                            break;
                        case (> 0m, > 0m) when now < before:
                            contraction += before - now;
                            break;
                    }
                }

                movements.Add(new RecurringMovement(month, currency, mrr, added, expansion, contraction, churned, paying, newClients, churnedClients));
            }
        }

        return movements;
    }
}
