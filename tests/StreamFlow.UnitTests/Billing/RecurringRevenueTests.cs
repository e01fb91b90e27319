using StreamFlow.Core.Billing;

namespace StreamFlow.UnitTests.Billing;

public sealed class RecurringRevenueTests
{
    private static readonly DateOnly Today = new(2026, 11, 26);

    [Fact]
    public void Mrr_is_base_fee_plus_seats_times_seat_price()
    {
        Assert.Equal(149.95m, RecurringRevenue.Monthly(Price(99.95m, 12.5m), seats: 4, Today));
    }

    [Fact]
    public void Percent_discount_is_taken_off_and_rounded_half_away_from_zero()
    {
        // (10 + 1 x 0.05) x (1 - 0.5%) = 9.99975 -> 10.00
        Assert.Equal(10.00m, RecurringRevenue.Monthly(Price(10m, 0.05m) with { DiscountKind = "percent", DiscountValue = 0.5m }, seats: 1, Today));
    }

    [Fact]
    public void Amount_discount_never_takes_mrr_below_zero()
    {
        Assert.Equal(0m, RecurringRevenue.Monthly(Price(50m, 10m) with { DiscountKind = "amount", DiscountValue = 500m }, seats: 2, Today));
    }

    [Fact]
    public void Discount_ends_after_its_last_day()
    {
        var price = Price(100m, 0m) with { DiscountKind = "amount", DiscountValue = 20m, DiscountEndsOn = Today.AddDays(-1) };

        Assert.Equal(100m, RecurringRevenue.Monthly(price, seats: 0, Today));
        Assert.Equal(80m, RecurringRevenue.Monthly(price with { DiscountEndsOn = Today }, seats: 0, Today));
    }

    [Fact]
    public void Trial_brings_no_mrr_until_it_ends()
    {
        var price = Price(100m, 10m) with { TrialEndsOn = Today.AddDays(1) };

        Assert.Equal((0m, true), (RecurringRevenue.Monthly(price, seats: 3, Today), RecurringRevenue.InTrial(price, Today)));
        Assert.Equal(130m, RecurringRevenue.Monthly(price, seats: 3, Today.AddDays(1)));
    }

    [Fact]
    public void Movements_keep_currencies_apart_and_add_up_month_to_month()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var jan = new DateOnly(2026, 1, 1);
        var recurring = new Dictionary<(Guid, string, DateOnly), decimal>
        {
            [(a, "USD", jan.AddMonths(-1))] = 100m,
            [(a, "USD", jan)] = 90m,
            [(b, "EUR", jan)] = 40m,
        };

        var movements = RecurringRevenue.Movements(recurring, jan, jan);

        Assert.Equal(
            [
                new RecurringMovement(jan, "EUR", 40m, 40m, 0m, 0m, 0m, 1, 1, 0),
                new RecurringMovement(jan, "USD", 90m, 0m, 0m, 10m, 0m, 1, 0, 0),
            ],
            movements);
    }

    private static RecurringPrice Price(decimal baseFee, decimal seatPrice) => new(baseFee, seatPrice, null, null, null, null);
}
