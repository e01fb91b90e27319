using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Cycle;

namespace StreamFlow.UnitTests.Billing;

public sealed class BillingPeriodsTests
{
    [Fact]
    public void On_the_billing_day_the_month_before_it_is_complete()
    {
        Assert.Equal(new BillingPeriod(new DateOnly(2026, 10, 15), new DateOnly(2026, 11, 15)),
            BillingPeriods.LastComplete(new DateOnly(2026, 11, 15), 15, null));
    }

    [Fact]
    public void Before_the_billing_day_the_last_complete_period_ended_last_month()
    {
        Assert.Equal(new BillingPeriod(new DateOnly(2026, 9, 15), new DateOnly(2026, 10, 15)),
            BillingPeriods.LastComplete(new DateOnly(2026, 11, 14), 15, null));
    }

    [Fact]
    public void A_moved_billing_day_starts_the_next_period_where_the_invoiced_one_ended()
    {
        // Invoiced up to 1 November; the billing day is now the 15th: the next period is 1 to 15 November.
        Assert.Equal(new BillingPeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 15)),
            BillingPeriods.LastComplete(new DateOnly(2026, 11, 20), 15, new DateOnly(2026, 11, 1)));
    }

    [Fact]
    public void A_period_starting_on_a_date_ends_on_the_next_billing_day()
    {
        Assert.Equal(new BillingPeriod(new DateOnly(2026, 12, 20), new DateOnly(2027, 1, 5)), BillingPeriods.StartingOn(new DateOnly(2026, 12, 20), 5));
        Assert.Equal(new BillingPeriod(new DateOnly(2026, 12, 5), new DateOnly(2027, 1, 5)), BillingPeriods.StartingOn(new DateOnly(2026, 12, 5), 5));
    }
}
