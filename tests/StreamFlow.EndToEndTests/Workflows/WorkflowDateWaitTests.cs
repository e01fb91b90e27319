using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Workflows;

/// <summary>
/// Issue #16: waits until a date of the record or the event, moved by days ("2 days before the quote expires"): checked
/// when saved, shown by the dry run, and run by the engine on a durable timer (untilDate is never scaled by MinuteLength).
/// </summary>
[Collection(HostCollection.Name)]
public sealed class WorkflowDateWaitTests(HostFixture fixture)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(60);

    private static object QuoteReminder(string field = "lead.attributes.quoteExpiresOn", int days = -2) => new
    {
        name = "Quote expires soon",
        trigger = new { @event = "lead.created" },
        steps = new object[]
        {
            new { type = "wait", untilDate = new { field, days } },
            new { type = "addNote", body = "The quote expires in two days: call the customer." },
        },
    };

    [Fact]
    public async Task A_date_wait_on_something_that_is_not_a_date_is_refused_when_saved()
    {
        var tenant = await QuoteBusinessAsync("UTC");

        using var text = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, QuoteReminder("lead.firstName"));
        using var free = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, QuoteReminder("lead.attributes.whenever"));
        using var far = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, QuoteReminder(days: -5000));
        using var both = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "Two kinds", trigger = new { @event = "lead.created" },
            steps = new object[] { new { type = "wait", minutes = 5, untilDate = new { field = "lead.createdAt", days = 1 } } },
        });
        using var good = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, QuoteReminder());

        Assert.True((await PlatformEndpointTests.AssertProblemAsync(text, HttpStatusCode.UnprocessableEntity)).GetProperty("errors").TryGetProperty("steps[0].untilDate.field", out _));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(free, HttpStatusCode.UnprocessableEntity)).GetProperty("errors").TryGetProperty("steps[0].untilDate.field", out _));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(far, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("steps[0].untilDate.days", out _));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(both, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("steps[0]", out _));
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
    }

    [Fact]
    public async Task The_dry_run_shows_the_wait_two_days_before_the_date_at_nine_in_the_business_zone_or_the_stop_when_it_is_empty()
    {
        var tenant = await QuoteBusinessAsync("America/Chicago");
        var workflowId = await SaveAsync(tenant, QuoteReminder());
        var dated = await CreateLeadAsync(tenant, new { firstName = "Quinn", source = "Referral", attributes = new { quoteExpiresOn = "2031-05-10" } });
        var undated = await CreateLeadAsync(tenant, new { firstName = "Uma", source = "Referral" });

        var plan = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/workflows/{workflowId}/dry-run", tenant.OwnerToken, new { leadId = dated }));
        var stop = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/workflows/{workflowId}/dry-run", tenant.OwnerToken, new { leadId = undated }));

        var steps = plan.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(2, steps.Count);
        Assert.Contains("2031-05-08 09:00 America/Chicago", steps[0].GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.Contains("lead.attributes.quoteExpiresOn - 2 days", steps[0].GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2031, 5, 8, 14, 0, 0, TimeSpan.Zero), steps[1].GetProperty("at").GetDateTimeOffset());
        var stopped = Assert.Single(stop.GetProperty("steps").EnumerateArray());
        Assert.Contains("stops here", stopped.GetProperty("outcome").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_wakes_at_the_events_date_moved_back_a_day_on_a_durable_timer()
    {
        var tenant = await QuoteBusinessAsync("UTC");
        var workflowId = await SaveAsync(tenant, new
        {
            name = "A day before the task is due",
            trigger = new { @event = "task.created" },
            steps = new object[]
            {
                new { type = "wait", untilDate = new { field = "event.dueAt", days = -1 } },
                new { type = "sendEmail", template = "workflow-summary", to = "tenantOwners" },
            },
        });
        var wakeAt = DateTimeOffset.UtcNow.AddSeconds(5);
        var dueAt = wakeAt.AddDays(1);

        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/tasks", tenant.OwnerToken, new { title = "Renew the permit", dueAt = dueAt.ToString("O", CultureInfo.InvariantCulture) }), HttpStatusCode.Created);
        var run = await WaitForOnlyRunAsync(tenant, workflowId);

        var summary = run.GetProperty("run");
        var steps = run.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(["conditions", "steps[0]", "steps[1]"], steps.Select(s => s.GetProperty("path").GetString()));
        var plannedDue = steps[1].GetProperty("input").GetProperty("dueAt").GetDateTimeOffset();
        Assert.True(Math.Abs((plannedDue - wakeAt).TotalMilliseconds) < 1, $"planned {plannedDue:O}, expected {wakeAt:O}");
        Assert.StartsWith("Waited until", steps[1].GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.True(steps[2].GetProperty("startedAt").GetDateTimeOffset() >= wakeAt, "The step after the wait ran before the wait's due time.");
    }

    [Fact]
    public async Task A_run_whose_date_is_empty_stops_at_the_wait_completed_with_the_reason()
    {
        var tenant = await QuoteBusinessAsync("UTC");
        var workflowId = await SaveAsync(tenant, QuoteReminder());

        var leadId = await CreateLeadAsync(tenant, new { firstName = "Nadia", source = "Referral" });
        var run = await WaitForOnlyRunAsync(tenant, workflowId);
        var activities = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{leadId}/activities", tenant.OwnerToken));

        Assert.Equal("completed", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains("is empty", run.GetProperty("run").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["conditions", "steps[0]"], run.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("path").GetString()));
        Assert.DoesNotContain("two days", activities.GetRawText(), StringComparison.Ordinal);
    }

    private async Task<TestTenant> QuoteBusinessAsync(string zone)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await ReadAsync(await SendAsync(HttpMethod.Patch, "/api/v1/settings", tenant.OwnerToken, new { timeZone = zone }));
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/custom-fields", tenant.OwnerToken, new { key = "quoteExpiresOn", label = "Quote expires", type = "date" }), HttpStatusCode.Created);
        return tenant;
    }

    private async Task<Guid> CreateLeadAsync(TestTenant tenant, object lead) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, lead), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task<Guid> SaveAsync(TestTenant tenant, object workflow) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, workflow), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task<JsonElement> WaitForOnlyRunAsync(TestTenant tenant, Guid workflowId)
    {
        var deadline = DateTime.UtcNow + RunLimit;
        while (true)
        {
            var runs = (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs", tenant.OwnerToken))).GetProperty("items").EnumerateArray().ToList();
            if (runs.Count == 1 && runs[0].GetProperty("status").GetString() is "completed" or "skipped" or "failed")
            {
                return await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflow-runs/{runs[0].GetProperty("id").GetString()}", tenant.OwnerToken));
            }

            Assert.True(DateTime.UtcNow < deadline, $"The run did not finish in time: {JsonSerializer.Serialize(runs)}");
            await Task.Delay(250);
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        fixture.Client.SendAsync(HostFixture.Authorized(method, path, token, body));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        using (response)
        {
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }
}
