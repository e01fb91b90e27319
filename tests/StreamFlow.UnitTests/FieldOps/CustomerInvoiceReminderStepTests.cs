using StreamFlow.Core.FieldOps.Invoicing;

namespace StreamFlow.UnitTests.FieldOps;

public sealed class CustomerInvoiceReminderStepTests
{
    [Theory]
    [InlineData(7, 0, 6, null)]
    [InlineData(7, 0, 7, 1)]
    [InlineData(7, 0, 13, 1)]
    [InlineData(7, 1, 13, null)]
    [InlineData(7, 1, 14, 2)]
    [InlineData(7, 0, 100, 3)]
    [InlineData(7, 3, 100, null)]
    [InlineData(30, 0, 29, null)]
    [InlineData(0, 0, 100, null)]
    public void The_step_due_is_the_whole_periods_overdue_up_to_three_and_only_beyond_the_last_sent(int everyDays, int lastStep, int daysAfterDue, int? expected)
    {
        var dueOn = new DateOnly(2026, 11, 1);

        Assert.Equal(expected, CustomerInvoiceReminderService.DueStep(dueOn, dueOn.AddDays(daysAfterDue), everyDays, lastStep));
    }
}
