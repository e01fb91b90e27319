using System.Text.Json;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Workflows;

namespace StreamFlow.UnitTests.Workflows;

/// <summary>Issue #16: "wait until a date of the record ± N days" in the business's zone.</summary>
public sealed class WorkflowDatesTests
{
    private static readonly TimeZoneInfo Chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");

    private static ConditionContext Context(string lead, string? eventData = null) => new(
        JsonDocument.Parse(eventData ?? "{}").RootElement.Clone(), JsonDocument.Parse(lead).RootElement.Clone(),
        new BusinessCalendar(Chicago, WeeklyHours.Default, []), new DateTimeOffset(2027, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_date_two_days_earlier_wakes_at_nine_local_by_default()
    {
        var due = WorkflowDates.Due(new WaitUntilDate("lead.attributes.quoteExpiresOn", -2, null), Context("""{"attributes":{"quoteExpiresOn":"2027-03-20"}}"""));

        // 18 March 2027 is after the US spring-forward (14 March): Chicago is UTC-5.
        Assert.Equal(new DateTimeOffset(2027, 3, 18, 14, 0, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void A_date_time_thirty_days_later_keeps_its_local_time_across_daylight_saving()
    {
        // 1 March 2027 10:30 in Chicago (UTC-6); thirty days later is 31 March 10:30 local, UTC-5.
        var due = WorkflowDates.Due(new WaitUntilDate("event.completedAt", 30, null), Context("{}", """{"completedAt":"2027-03-01T16:30:00+00:00"}"""));

        Assert.Equal(new DateTimeOffset(2027, 3, 31, 15, 30, 0, TimeSpan.Zero), due);
    }

    [Fact]
    public void At_sets_the_local_time_of_day()
    {
        var due = WorkflowDates.Due(new WaitUntilDate("lead.attributes.deadline", 0, "16:45"), Context("""{"attributes":{"deadline":"2027-01-05"}}"""));

        Assert.Equal(new DateTimeOffset(2027, 1, 5, 22, 45, 0, TimeSpan.Zero), due);
    }

    [Theory]
    [InlineData("""{"attributes":{}}""")]
    [InlineData("""{"attributes":{"quoteExpiresOn":null}}""")]
    [InlineData("""{"attributes":{"quoteExpiresOn":"soon"}}""")]
    public void An_empty_or_unreadable_date_has_no_due_time(string lead)
    {
        Assert.Null(WorkflowDates.Due(new WaitUntilDate("lead.attributes.quoteExpiresOn", -2, null), Context(lead)));
    }
}
