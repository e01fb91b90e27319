using System.Text.Json;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Workflows;

namespace StreamFlow.UnitTests.Workflows;

public sealed class WorkflowConditionEvaluatorTests
{
    private static readonly DayHours Office = new("08:00", "17:00");
    private static readonly BusinessCalendar Calendar = new(TimeZoneInfo.Utc, new WeeklyHours(Office, Office, Office, Office, Office, null, null), []);
    private static readonly DateTimeOffset MondayMorning = new(2027, 3, 8, 9, 0, 0, TimeSpan.Zero);

    private static ConditionContext Context(DateTimeOffset? now = null) => new(
        Json("""{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","score":{"value":82,"tier":"hot","scoredAt":"2027-03-08T08:00:00Z"}}"""),
        Json("""{"stage":"new","source":"Google Ads","attributes":{"Roof Size":2800},"ownerUserId":null}"""),
        Calendar, now ?? MondayMorning);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static WorkflowCondition Rule(string? field, string op, string? value = null) => new(field, op, value is null ? null : Json(value));

    private static bool Holds(string match, params WorkflowCondition[] rules) =>
        WorkflowConditionEvaluator.Check(new WorkflowConditions(match, rules), Context()).Holds;

    [Theory]
    [InlineData("event.score.value", "gte", "80", true)]
    [InlineData("event.score.value", "gt", "82", false)]
    [InlineData("event.score.tier", "eq", "\"hot\"", true)]
    [InlineData("event.score.tier", "in", "[\"warm\",\"hot\"]", true)]
    [InlineData("event.score.scoredAt", "lt", "\"2027-03-08T09:00:00Z\"", true)]
    [InlineData("lead.stage", "ne", "\"new\"", false)]
    [InlineData("lead.source", "contains", "\"google\"", true)]
    [InlineData("lead.attributes.Roof Size", "gt", "2000", true)]
    [InlineData("lead.ownerUserId", "exists", null, false)]
    [InlineData("lead.city", "ne", "\"Austin\"", true)]
    public void A_rule_compares_the_value_it_finds(string field, string op, string? value, bool expected)
    {
        Assert.Equal(expected, Holds("all", Rule(field, op, value)));
    }

    [Fact]
    public void Text_that_a_number_is_compared_with_never_holds()
    {
        Assert.False(Holds("all", Rule("lead.source", "gt", "3")));
        Assert.False(Holds("all", Rule("lead.source", "lt", "3")));
    }

    [Fact]
    public void All_needs_every_rule_and_any_one_of_them()
    {
        var hot = Rule("event.score.tier", "eq", "\"hot\"");
        var contacted = Rule("lead.stage", "eq", "\"contacted\"");

        Assert.False(Holds("all", hot, contacted));
        Assert.True(Holds("any", hot, contacted));
    }

    [Fact]
    public void Within_business_hours_reads_the_calendar_at_the_time_checked()
    {
        var rules = new WorkflowConditions(null, [Rule(null, "withinBusinessHours")]);

        Assert.True(WorkflowConditionEvaluator.Check(rules, Context()).Holds);
        Assert.False(WorkflowConditionEvaluator.Check(rules, Context(MondayMorning.AddHours(9))).Holds);
    }

    [Fact]
    public void Each_check_reports_what_it_found()
    {
        var (_, checks) = WorkflowConditionEvaluator.Check(new WorkflowConditions(null, [Rule("event.score.value", "gte", "80")]), Context());

        Assert.Equal(82, Assert.Single(checks).Actual!.Value.GetInt32());
    }

    [Fact]
    public void A_dry_run_moves_its_clock_over_a_business_wait_that_times_out()
    {
        var steps = new WorkflowStep[]
        {
            new("wait", BusinessMinutes: 30, UntilCondition: new WaitCondition(null, [Rule("lead.stage", "ne", "\"new\"")]),
                OnTimeout: [new WorkflowStep("createTask", Title: "Call now", Priority: "urgent", DueInBusinessMinutes: 15)]),
        };

        var plan = WorkflowDryRunPlanner.Plan(steps, Context(MondayMorning.AddHours(7).AddMinutes(45)));

        Assert.Equal(["steps[0]", "steps[0].onTimeout[0]"], plan.Select(s => s.Path));
        Assert.Equal(new DateTimeOffset(2027, 3, 9, 8, 15, 0, TimeSpan.Zero), plan[1].At);
        Assert.Contains("due 2027-03-09 08:30", plan[1].Outcome, StringComparison.Ordinal);
    }
}
