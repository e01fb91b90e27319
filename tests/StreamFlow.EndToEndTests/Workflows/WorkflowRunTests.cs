using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Workflows;

/// <summary>
/// Issue #16, the run engine: committed events start runs through the work outbox as durable orchestrations on the
/// standalone host. The suite's host runs a workflow minute in 200 ms (Workflows__MinuteLength), so 15 business
/// minutes pass in 3 s on real durable timers.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class WorkflowRunTests(HostFixture fixture)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(60);

    private static object HotLeadNotContacted => new
    {
        name = "Hot lead not contacted",
        trigger = new { @event = "lead.scored" },
        conditions = new { match = "all", rules = new object[] { new { field = "event.score.tier", @operator = "eq", value = "hot" }, new { @operator = "withinBusinessHours" } } },
        steps = new object[]
        {
            new
            {
                type = "wait", businessMinutes = 15,
                untilCondition = new { rules = new object[] { new { field = "lead.stage", @operator = "ne", value = "new" } } },
                onTimeout = new object[]
                {
                    new { type = "assign", strategy = "roundRobin", roles = new[] { "staff" } },
                    new { type = "createTask", title = "Call this hot lead now", priority = "urgent", dueInBusinessMinutes = 15, assignee = "recordOwner" },
                },
            },
        },
    };

    [Fact]
    public async Task A_hot_lead_not_contacted_within_15_business_minutes_goes_to_the_next_staff_member_with_an_urgent_task()
    {
        var (tenant, staff) = await HotLeadBusinessAsync();
        var workflowId = await SaveAsync(tenant, HotLeadNotContacted);

        var leadId = await CreateHotLeadAsync(tenant, "Hal");
        var firstOwner = (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{leadId}", tenant.OwnerToken))).GetProperty("ownerUserId").GetGuid();
        var run = await WaitForRunAsync(tenant, workflowId, leadId);
        var lead = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{leadId}", tenant.OwnerToken));
        var tasks = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/tasks?leadId={leadId}", tenant.OwnerToken));
        var steps = run.GetProperty("steps").EnumerateArray().ToList();

        Assert.Equal("completed", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("run").GetProperty("version").GetInt32());
        Assert.Contains(firstOwner, staff);
        var nextOwner = lead.GetProperty("ownerUserId").GetGuid();
        Assert.Contains(nextOwner, staff);
        Assert.NotEqual(firstOwner, nextOwner);
        var task = Assert.Single(tasks.GetProperty("items").EnumerateArray());
        Assert.Equal("urgent", task.GetProperty("priority").GetString());
        Assert.Equal(nextOwner, task.GetProperty("assigneeUserId").GetGuid());
        Assert.Equal(["conditions", "steps[0]", "steps[0].onTimeout[0]", "steps[0].onTimeout[1]"], steps.Select(s => s.GetProperty("path").GetString()));
        Assert.All(steps, s => Assert.Equal("done", s.GetProperty("status").GetString()));
        Assert.StartsWith("Timed out", steps[1].GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Equal(15, steps[1].GetProperty("input").GetProperty("businessMinutes").GetInt32());
    }

    [Fact]
    public async Task A_hot_lead_contacted_in_time_keeps_its_owner_and_gets_no_task()
    {
        var (tenant, _) = await HotLeadBusinessAsync();
        var workflowId = await SaveAsync(tenant, HotLeadNotContacted);

        var leadId = await CreateHotLeadAsync(tenant, "Cora");
        var owner = (await ReadAsync(await SendAsync(HttpMethod.Patch, $"/api/v1/leads/{leadId}", tenant.OwnerToken, new { stage = "contacted" }))).GetProperty("ownerUserId").GetGuid();
        var run = await WaitForRunAsync(tenant, workflowId, leadId);
        var lead = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{leadId}", tenant.OwnerToken));
        var tasks = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/tasks?leadId={leadId}", tenant.OwnerToken));

        Assert.Equal("completed", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(owner, lead.GetProperty("ownerUserId").GetGuid());
        Assert.Empty(tasks.GetProperty("items").EnumerateArray());
        Assert.StartsWith("The condition held", run.GetProperty("steps")[1].GetProperty("result").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lead_that_is_not_hot_is_skipped_with_the_checks_in_its_log()
    {
        var (tenant, _) = await HotLeadBusinessAsync();
        var workflowId = await SaveAsync(tenant, HotLeadNotContacted);

        var leadId = await CreateLeadAsync(tenant, new { firstName = "Walt", source = "Flyer" });
        var run = await WaitForRunAsync(tenant, workflowId, leadId);
        var conditions = run.GetProperty("steps")[0];

        Assert.Equal("skipped", run.GetProperty("run").GetProperty("status").GetString());
        Assert.False(JsonDocument.Parse(conditions.GetProperty("result").GetString()!).RootElement.GetProperty("holds").GetBoolean());
        Assert.Single(run.GetProperty("steps").EnumerateArray());
    }

    [Fact]
    public async Task A_step_that_keeps_failing_fails_the_run_visibly_and_the_owner_is_emailed()
    {
        // No staff: the lead is routed to no one, so emailing its owner cannot succeed however often it is tried.
        var tenant = await Tenants.CreateAsync(fixture);
        var workflowId = await SaveAsync(tenant, new
        {
            name = "Tell the owner",
            trigger = new { @event = "lead.created" },
            steps = new object[] { new { type = "addNote", body = "Arrived" }, new { type = "sendEmail", template = "lead-assigned", to = "recordOwner" }, new { type = "addNote", body = "Never written" } },
        });

        var leadId = await CreateLeadAsync(tenant, new { firstName = "Fay", source = "Flyer" });
        var run = await WaitForRunAsync(tenant, workflowId, leadId);
        var steps = run.GetProperty("steps").EnumerateArray().ToList();
        var mail = await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.StartsWith("Workflow failed", StringComparison.Ordinal));

        Assert.Equal("failed", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal("The lead has no owner to email.", run.GetProperty("run").GetProperty("reason").GetString());
        Assert.Equal(["conditions", "steps[0]", "steps[1]"], steps.Select(s => s.GetProperty("path").GetString()));
        Assert.Equal("failed", steps[2].GetProperty("status").GetString());
        Assert.Equal(3, steps[2].GetProperty("attempts").GetInt32());
        Assert.Contains(run.GetProperty("run").GetProperty("id").GetString()!, mail.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workflow_whose_steps_trigger_it_again_stops_at_the_depth_limit()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await Tenants.AddUserAsync(fixture, tenant, "staff");
        await Tenants.AddUserAsync(fixture, tenant, "staff");
        await ReadAsync(await SendAsync(HttpMethod.Put, "/api/v1/scoring/settings", tenant.OwnerToken, new { aiEnabled = false }));
        // Each run hands the lead to the other staff member, which updates the lead, which triggers the workflow again.
        var workflowId = await SaveAsync(tenant, new
        {
            name = "Ping-pong",
            trigger = new { @event = "lead.updated" },
            steps = new object[] { new { type = "assign", strategy = "roundRobin", roles = new[] { "staff" } } },
        });
        var leadId = await CreateLeadAsync(tenant, new { firstName = "Lou", source = "Flyer" });

        (await SendAsync(HttpMethod.Patch, $"/api/v1/leads/{leadId}", tenant.OwnerToken, new { city = "Austin" })).Dispose();
        var runs = await WaitForRunsAsync(tenant, workflowId, list => list.Any(r => r.GetProperty("status").GetString() == "skipped"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        runs = await WaitForRunsAsync(tenant, workflowId, _ => true);

        Assert.Equal([0, 1, 2, 3, 4], runs.Select(r => r.GetProperty("depth").GetInt32()).Order());
        Assert.Equal(4, runs.Count(r => r.GetProperty("status").GetString() == "completed"));
        var skipped = Assert.Single(runs, r => r.GetProperty("status").GetString() == "skipped");
        Assert.Equal(4, skipped.GetProperty("depth").GetInt32());
        Assert.StartsWith("Loop limit", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Territory_assignment_keeps_a_lead_with_the_people_of_its_territory_and_fails_visibly_where_none_covers_it()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await Tenants.AddUserAsync(fixture, tenant, "staff");
        var texan = await Tenants.AddUserAsync(fixture, tenant, "staff");
        await ReadAsync(await SendAsync(HttpMethod.Put, "/api/v1/scoring/settings", tenant.OwnerToken,
            new { aiEnabled = false, routing = new { territories = new[] { new { state = "TX", userIds = new[] { texan.Id } } } } }));
        var workflowId = await SaveAsync(tenant, new
        {
            name = "Territory",
            trigger = new { @event = "lead.created" },
            steps = new object[] { new { type = "assign", strategy = "territory", roles = new[] { "staff" } } },
        });

        var austin = await CreateLeadAsync(tenant, new { firstName = "Tex", source = "Flyer", state = "TX" });
        var denver = await CreateLeadAsync(tenant, new { firstName = "Col", source = "Flyer", state = "CO" });
        var covered = await WaitForRunAsync(tenant, workflowId, austin);
        var uncovered = await WaitForRunAsync(tenant, workflowId, denver);

        // Round robin would have handed it to the other staff member (it moves a lead away from its current owner).
        Assert.Equal("completed", covered.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(texan.Id, (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{austin}", tenant.OwnerToken))).GetProperty("ownerUserId").GetGuid());
        Assert.Equal("failed", uncovered.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains("No territory", uncovered.GetProperty("run").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_run_log_of_another_business_is_not_found()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        var workflowId = await SaveAsync(tenant, new { name = "Note", trigger = new { @event = "lead.created" }, steps = new object[] { new { type = "addNote", body = "New lead" } } });
        var leadId = await CreateLeadAsync(tenant, new { firstName = "Ida", source = "Flyer" });
        var run = await WaitForRunAsync(tenant, workflowId, leadId);
        var runId = run.GetProperty("run").GetProperty("id").GetString();

        using var hidden = await SendAsync(HttpMethod.Get, $"/api/v1/workflow-runs/{runId}", other.OwnerToken);
        using var hiddenList = await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs", other.OwnerToken);
        using var badStatus = await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs?status=sleeping", tenant.OwnerToken);

        Assert.Equal("completed", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hiddenList.StatusCode);
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(badStatus, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("status", out _));
    }

    [Fact]
    public async Task Deleting_a_workflow_cancels_its_runs_in_flight_keeps_their_logs_stops_it_triggering_and_is_audited()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        // 25 workflow minutes are 5 s in the suite; the companion waits as long and shows when the deleted run's wait is over.
        object Waiting(string name, string after) => new
        {
            name, trigger = new { @event = "lead.created" },
            steps = new object[] { new { type = "addNote", body = $"{name} arrived" }, new { type = "wait", minutes = 25 }, new { type = "addNote", body = after } },
        };
        var workflowId = await SaveAsync(tenant, Waiting("Deleted soon", "Never written"));
        var companionId = await SaveAsync(tenant, Waiting("Companion", "Companion done"));
        var leadId = await CreateLeadAsync(tenant, new { firstName = "Del", source = "Flyer" });
        await WaitForRunsAsync(tenant, workflowId, runs => runs.Any(r => r.GetProperty("status").GetString() == "waiting"));

        using var strangers = await SendAsync(HttpMethod.Delete, $"/api/v1/workflows/{workflowId}", other.OwnerToken);
        var deleted = await ReadAsync(await SendAsync(HttpMethod.Delete, $"/api/v1/workflows/{workflowId}", tenant.OwnerToken));
        using var again = await SendAsync(HttpMethod.Delete, $"/api/v1/workflows/{workflowId}", tenant.OwnerToken);
        using var gone = await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}", tenant.OwnerToken);
        using var replaced = await SendAsync(HttpMethod.Put, $"/api/v1/workflows/{workflowId}", tenant.OwnerToken, Waiting("Deleted soon", "Back"));
        var list = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/workflows", tenant.OwnerToken));
        var secondLead = await CreateLeadAsync(tenant, new { firstName = "Later", source = "Flyer" });
        await WaitForRunsAsync(tenant, companionId, runs => runs.Count == 2 && runs.All(r => r.GetProperty("status").GetString() == "completed"));
        var runs = await WaitForRunsAsync(tenant, workflowId, _ => true);
        var run = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflow-runs/{runs[0].GetProperty("id").GetString()}", tenant.OwnerToken));
        var activities = (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/leads/{leadId}/activities", tenant.OwnerToken))).GetRawText();
        using var auditResponse = await SendAsync(HttpMethod.Get, "/api/v1/audit?limit=200", tenant.OwnerToken);
        var audit = (await auditResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == "workflow.deleted").ToList();

        Assert.Equal(HttpStatusCode.NotFound, strangers.StatusCode);
        Assert.Equal(1, deleted.GetProperty("cancelledRuns").GetInt32());
        Assert.Equal("Deleted soon", deleted.GetProperty("name").GetString());
        await PlatformEndpointTests.AssertProblemAsync(again, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, replaced.StatusCode);
        Assert.Equal([companionId], list.GetProperty("items").EnumerateArray().Select(w => w.GetProperty("id").GetGuid()));
        var only = Assert.Single(runs);
        Assert.Equal(leadId.ToString(), only.GetProperty("leadId").GetString());
        Assert.NotEqual(secondLead.ToString(), only.GetProperty("leadId").GetString());
        Assert.Equal("cancelled", run.GetProperty("run").GetProperty("status").GetString());
        Assert.StartsWith("Cancelled: the workflow was deleted", run.GetProperty("run").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["conditions", "steps[0]", "steps[1]"], run.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("path").GetString()));
        Assert.Equal("waiting", run.GetProperty("steps")[2].GetProperty("status").GetString());
        Assert.Contains("Companion done", activities, StringComparison.Ordinal);
        Assert.DoesNotContain("Never written", activities, StringComparison.Ordinal);
        var entry = Assert.Single(audit);
        Assert.Equal($"workflow:{workflowId}", entry.GetProperty("target").GetString());
    }

    // Two staff members, hours around the clock in UTC (00:00-24:00: 15 business minutes are 15 clock minutes, across
    // midnight too), and rules that make a lead from a trade show hot.
    private async Task<(TestTenant Tenant, Guid[] Staff)> HotLeadBusinessAsync()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var first = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var second = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var day = new { open = "00:00", close = "24:00" };
        await ReadAsync(await SendAsync(HttpMethod.Patch, "/api/v1/settings", tenant.OwnerToken, new
        {
            timeZone = "UTC", businessHours = new { monday = day, tuesday = day, wednesday = day, thursday = day, friday = day, saturday = day, sunday = day },
        }));
        await ReadAsync(await SendAsync(HttpMethod.Put, "/api/v1/scoring/settings", tenant.OwnerToken, new
        {
            rules = new { name = "shows", version = 1, baseScore = 40, rules = new[] { new { label = "Came from the trade show", points = 50, when = new[] { new { field = "source", @operator = "equals", value = "Trade show" } } } } },
            thresholds = new { hot = 80, warm = 50 },
            aiEnabled = false,
        }));
        return (tenant, [first.Id, second.Id]);
    }

    private Task<Guid> CreateHotLeadAsync(TestTenant tenant, string name) => CreateLeadAsync(tenant, new { firstName = name, source = "Trade show" });

    private async Task<Guid> CreateLeadAsync(TestTenant tenant, object lead) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, lead), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task<Guid> SaveAsync(TestTenant tenant, object workflow) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, workflow), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    /// <summary>The run of the workflow about the lead, with its log, once it has finished.</summary>
    private async Task<JsonElement> WaitForRunAsync(TestTenant tenant, Guid workflowId, Guid leadId)
    {
        var runs = await WaitForRunsAsync(tenant, workflowId, list => list.Any(r => r.GetProperty("leadId").GetString() == leadId.ToString()
            && r.GetProperty("status").GetString() is "completed" or "skipped" or "failed"));
        var id = runs.First(r => r.GetProperty("leadId").GetString() == leadId.ToString()).GetProperty("id").GetString();
        return await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflow-runs/{id}", tenant.OwnerToken));
    }

    private async Task<List<JsonElement>> WaitForRunsAsync(TestTenant tenant, Guid workflowId, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + RunLimit;
        while (true)
        {
            var runs = (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs", tenant.OwnerToken)))
                .GetProperty("items").EnumerateArray().ToList();
            if (done(runs))
            {
                return runs;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The runs did not finish in time: {JsonSerializer.Serialize(runs)}");
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
