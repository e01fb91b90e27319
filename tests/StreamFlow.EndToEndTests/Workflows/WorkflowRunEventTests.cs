using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Workflows;

/// <summary>
/// Issue #16: workflow.run.completed and workflow.run.failed are events of the catalogue (a workflow can even be triggered
/// by another's), the run list pages, and a task PATCH clears the assignee or the due time with an explicit null.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class WorkflowRunEventTests(HostFixture fixture)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_completed_run_and_a_failed_run_each_publish_their_event()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        // The stages are seeded on first read; the failing workflow refers to won.
        await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/pipeline/stages", tenant.OwnerToken));
        var noting = await SaveAsync(tenant, new { name = "Note", trigger = new { @event = "lead.created" }, steps = new object[] { new { type = "addNote", body = "Welcome" } } });
        var failing = await SaveAsync(tenant, new { name = "Win at once", trigger = new { @event = "lead.created" }, steps = new object[] { new { type = "setStage", stage = "won" } } });
        var onCompleted = await SaveAsync(tenant, Watcher("workflow.run.completed", noting));
        var onFailed = await SaveAsync(tenant, Watcher("workflow.run.failed", failing));

        await CreateLeadAsync(tenant, new { firstName = "Eve", source = "Referral" });
        var completedWatch = await WaitForRunsAsync(tenant, onCompleted, 1);
        var failedWatch = await WaitForRunsAsync(tenant, onFailed, 1);
        var failedRun = Assert.Single(await WaitForRunsAsync(tenant, failing, 1));

        // The watchers' own runs publish events too; those do not name the watched workflow, so their runs are skipped.
        var watched = Assert.Single(completedWatch, r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal("workflow.run.completed", watched.GetProperty("eventType").GetString());
        Assert.Equal("completed", watched.GetProperty("status").GetString());
        Assert.Equal(1, watched.GetProperty("depth").GetInt32());
        Assert.Equal("failed", failedRun.GetProperty("status").GetString());
        var failedWatched = Assert.Single(failedWatch, r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal("workflow.run.failed", failedWatched.GetProperty("eventType").GetString());
        Assert.Equal("completed", failedWatched.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_send_event_step_publishes_the_business_s_own_event_once_which_another_workflow_can_act_on()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var sender = await SaveAsync(tenant, new
        {
            name = "Welcome",
            trigger = new { @event = "lead.created" },
            steps = new object[] { new { type = "sendEvent", @event = "welcome.sent", data = new { channel = "sms", attempt = 1 } } },
        });
        var listener = await SaveAsync(tenant, new
        {
            name = "On welcome",
            trigger = new { @event = "workflow.event" },
            conditions = new { rules = new object[] { new { field = "event.name", @operator = "eq", value = "welcome.sent" } } },
            steps = new object[] { new { type = "sendEmail", template = "workflow-summary", to = "tenantOwners" } },
        });
        using var badName = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "Bad", trigger = new { @event = "lead.created" }, steps = new object[] { new { type = "sendEvent", @event = "Welcome Sent!", data = new[] { 1 } } },
        });

        await CreateLeadAsync(tenant, new { firstName = "Wes", source = "Referral" });
        var sent = Assert.Single(await WaitForRunsAsync(tenant, sender, 1));
        var heard = Assert.Single(await WaitForRunsAsync(tenant, listener, 1));
        var log = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflow-runs/{sent.GetProperty("id").GetString()}", tenant.OwnerToken));

        Assert.Equal("completed", sent.GetProperty("status").GetString());
        Assert.StartsWith("Sent the event welcome.sent (workflow.event ", log.GetProperty("steps").EnumerateArray().Single(step => step.GetProperty("path").GetString() == "steps[0]").GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Equal(("completed", "workflow.event", 1), (heard.GetProperty("status").GetString(), heard.GetProperty("eventType").GetString(), heard.GetProperty("depth").GetInt32()));
        var problem = await PlatformEndpointTests.AssertProblemAsync(badName, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("steps[0].event", out _), problem.ToString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("steps[0].data", out _), problem.ToString());
    }

    [Fact]
    public async Task The_run_list_pages_newest_first_with_a_cursor()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var workflowId = await SaveAsync(tenant, new { name = "Note", trigger = new { @event = "lead.created" }, steps = new object[] { new { type = "addNote", body = "Welcome" } } });
        foreach (var name in new[] { "Ann", "Ben", "Cy" })
        {
            await CreateLeadAsync(tenant, new { firstName = name, source = "Referral" });
        }

        var all = await WaitForRunsAsync(tenant, workflowId, 3);
        var first = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs?limit=2", tenant.OwnerToken));
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs?limit=2&cursor={cursor}", tenant.OwnerToken));
        using var bad = await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs?cursor=not-ours", tenant.OwnerToken);

        var paged = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(all.Select(r => r.GetProperty("id").GetString()), paged);
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task A_task_patch_clears_the_assignee_or_the_due_time_with_an_explicit_null_and_leaves_absent_members()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var task = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/tasks", tenant.OwnerToken, new
        {
            title = "Call back", assigneeUserId = staff.Id, dueAt = "2031-03-15T15:00:00Z",
        }), HttpStatusCode.Created);
        var id = task.GetProperty("id").GetString();

        var renamed = await ReadAsync(await SendAsync(HttpMethod.Patch, $"/api/v1/tasks/{id}", tenant.OwnerToken, new { title = "Call back today" }));
        var unassigned = await ReadAsync(await SendAsync(HttpMethod.Patch, $"/api/v1/tasks/{id}", tenant.OwnerToken, JsonDocument.Parse("""{"assigneeUserId":null}""").RootElement));
        var undated = await ReadAsync(await SendAsync(HttpMethod.Patch, $"/api/v1/tasks/{id}", tenant.OwnerToken, JsonDocument.Parse("""{"dueLocal":null}""").RootElement));

        Assert.Equal(staff.Id, renamed.GetProperty("assigneeUserId").GetGuid());
        Assert.Equal(new DateTimeOffset(2031, 3, 15, 15, 0, 0, TimeSpan.Zero), renamed.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, unassigned.GetProperty("assigneeUserId").ValueKind);
        Assert.Equal(new DateTimeOffset(2031, 3, 15, 15, 0, 0, TimeSpan.Zero), unassigned.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, undated.GetProperty("dueAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, undated.GetProperty("assigneeUserId").ValueKind);
        Assert.Equal("Call back today", undated.GetProperty("title").GetString());
    }

    private static object Watcher(string eventType, Guid watchedWorkflow) => new
    {
        name = $"Watch {eventType}",
        trigger = new { @event = eventType },
        conditions = new { rules = new object[] { new { field = "event.workflowId", @operator = "eq", value = watchedWorkflow.ToString() } } },
        steps = new object[] { new { type = "sendEmail", template = "workflow-summary", to = "tenantOwners" } },
    };

    private async Task<Guid> CreateLeadAsync(TestTenant tenant, object lead) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, lead), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task<Guid> SaveAsync(TestTenant tenant, object workflow) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, workflow), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    /// <summary>The workflow's runs once <paramref name="count"/> of them have finished (newest first).</summary>
    private async Task<List<JsonElement>> WaitForRunsAsync(TestTenant tenant, Guid workflowId, int count)
    {
        var deadline = DateTime.UtcNow + RunLimit;
        while (true)
        {
            var runs = (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{workflowId}/runs", tenant.OwnerToken))).GetProperty("items").EnumerateArray().ToList();
            if (runs.Count >= count && runs.All(r => r.GetProperty("status").GetString() is "completed" or "skipped" or "failed"))
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
