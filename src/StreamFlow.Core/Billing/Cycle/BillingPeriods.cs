namespace StreamFlow.Core.Billing.Cycle;

/// <summary>
/// Billing periods run from a billing day to the same day of the next month, [start, end). A period starts no
/// earlier than the end of the last finalized one, so a billing day that moved never bills a day twice.
/// </summary>
public static class BillingPeriods
{
    /// <summary>The latest period that ended on or before <paramref name="today"/> for <paramref name="billingDay"/> (1–28).</summary>
    public static BillingPeriod LastComplete(DateOnly today, int billingDay, DateOnly? lastFinalizedEnd)
    {
        var end = today.Day >= billingDay ? new DateOnly(today.Year, today.Month, billingDay) : new DateOnly(today.Year, today.Month, billingDay).AddMonths(-1);
        return Clamp(end.AddMonths(-1), end, lastFinalizedEnd);
    }

    /// <summary>The period that starts on <paramref name="start"/>: it ends on the next billing day after it.</summary>
    public static BillingPeriod StartingOn(DateOnly start, int billingDay)
    {
        var end = new DateOnly(start.Year, start.Month, billingDay);
        if (end <= start)
        {
            end = end.AddMonths(1);
        }

        return new BillingPeriod(start, end);
    }

    private static BillingPeriod Clamp(DateOnly start, DateOnly end, DateOnly? lastFinalizedEnd) =>
        new(lastFinalizedEnd is { } finalized && finalized > start && finalized < end ? finalized : start, end);
}
