using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Workflows;

/// <summary>Issue #16, slice 3 (definitions): workflows saved, versioned and checked at save time.</summary>
[Collection(HostCollection.Name)]
public sealed class WorkflowApiTests(HostFixture fixture)
{
    private static readonly object[] HotAndInHours =
        [new { field = "event.score.tier", @operator = "eq", value = "hot" }, new { @operator = "withinBusinessHours" }];

    // The dry runs leave the hours out: they run at whatever time the suite does.
    private static readonly object[] Hot = [new { field = "event.score.tier", @operator = "eq", value = "hot" }];

    private static object HotLeadWorkflow(object[]? rules = null) => new
    {
        name = "Hot lead not contacted",
        trigger = new { @event = "lead.scored" },
        conditions = new { match = "all", rules = rules ?? HotAndInHours },
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
    public async Task The_hot_lead_example_saves_and_each_save_is_a_new_version()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var created = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, HotLeadWorkflow()), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var disabled = JsonSerializer.SerializeToNode(HotLeadWorkflow())!.AsObject();
        disabled["enabled"] = false;
        var saved = await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/workflows/{id}", tenant.OwnerToken, disabled));
        var versions = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{id}/versions", tenant.OwnerToken));

        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal("lead.scored", created.GetProperty("trigger").GetProperty("event").GetString());
        Assert.Equal(2, saved.GetProperty("version").GetInt32());
        Assert.False(saved.GetProperty("enabled").GetBoolean());
        Assert.Equal([2, 1], versions.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.True(versions.GetProperty("items")[1].GetProperty("definition").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Unknown_users_stages_templates_and_fields_are_a_422_naming_each()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var stranger = Guid.NewGuid();

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "Broken",
            trigger = new { @event = "lead.scored" },
            conditions = new { rules = new object[] { new { field = "event.score.colour", @operator = "eq", value = "red" } } },
            steps = new object[]
            {
                new { type = "assign", strategy = "user", userId = stranger },
                new { type = "setStage", stage = "on_the_moon" },
                new { type = "sendEmail", template = "no-such-template" },
                new { type = "setField", field = "favouriteColour", value = "red" },
            },
        });
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors");

        Assert.Equal(["conditions.rules[0].field", "steps[0].userId", "steps[1].stage", "steps[2].template", "steps[3].field"],
            errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains(stranger.ToString(), errors.GetProperty("steps[0].userId")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("no-such-template", errors.GetProperty("steps[2].template")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comparing_a_number_with_text_is_a_422()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "Mistyped",
            trigger = new { @event = "lead.scored" },
            conditions = new { rules = new object[] { new { field = "event.score.value", @operator = "gte", value = "eighty" }, new { field = "lead.stage", @operator = "lt", value = 3 } } },
            steps = new object[] { new { type = "addNote", body = "Scored high" } },
        });
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["conditions.rules[0].value", "conditions.rules[1].operator"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task An_unknown_event_type_and_a_malformed_definition_are_refused()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var unknown = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "Odd", trigger = new { @event = "lead.teleported" }, steps = new object[] { new { type = "addNote", body = "x" } },
        });
        using var malformed = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "", trigger = new { }, steps = new object[] { new { type = "fly" }, new { type = "wait" } },
        });

        Assert.True((await PlatformEndpointTests.AssertProblemAsync(unknown, HttpStatusCode.UnprocessableEntity)).GetProperty("errors").TryGetProperty("trigger.event", out _));
        Assert.Equal(["name", "steps[0].type", "steps[1]", "trigger"],
            (await PlatformEndpointTests.AssertProblemAsync(malformed, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Staff_may_not_save_workflows_and_another_business_cannot_read_them()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var id = (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, HotLeadWorkflow()), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        using var forbidden = await SendAsync(HttpMethod.Post, "/api/v1/workflows", staff.Token, HotLeadWorkflow());
        using var hidden = await SendAsync(HttpMethod.Get, $"/api/v1/workflows/{id}", other.OwnerToken);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task A_dry_run_on_a_new_hot_lead_shows_the_wait_timing_out_into_the_reassignment_and_the_urgent_task()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await OpenAroundTheClockAsync(tenant);
        var lead = (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Dana", source = "Reference" }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var id = (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, HotLeadWorkflow(Hot)), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var plan = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/workflows/{id}/dry-run", tenant.OwnerToken, new
        {
            @event = new { leadId = lead, score = new { value = 91, tier = "hot" } }, leadId = lead,
        }));

        Assert.True(plan.GetProperty("triggered").GetBoolean());
        Assert.Equal("hot", Assert.Single(plan.GetProperty("conditions").EnumerateArray()).GetProperty("actual").GetString());
        var steps = plan.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["steps[0]", "steps[0].onTimeout[0]", "steps[0].onTimeout[1]"], steps.Select(s => s.GetProperty("path").GetString()));
        Assert.Equal(["wait", "assign", "createTask"], steps.Select(s => s.GetProperty("type").GetString()));
        Assert.Equal("new", steps[0].GetProperty("checks")[0].GetProperty("actual").GetString());
        Assert.True(steps[1].GetProperty("at").GetDateTimeOffset() - plan.GetProperty("evaluatedAt").GetDateTimeOffset() >= TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task A_dry_run_of_an_event_the_conditions_refuse_runs_no_step()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await OpenAroundTheClockAsync(tenant);
        var id = (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, HotLeadWorkflow(Hot)), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var plan = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/workflows/{id}/dry-run", tenant.OwnerToken, new
        {
            @event = new { leadId = Guid.NewGuid(), score = new { value = 12, tier = "cold" } },
        }));

        Assert.False(plan.GetProperty("triggered").GetBoolean());
        Assert.False(plan.GetProperty("conditions")[0].GetProperty("holds").GetBoolean());
        Assert.Empty(plan.GetProperty("steps").EnumerateArray());
    }

    [Fact]
    public async Task Hours_past_midnight_save_and_a_business_open_around_the_clock_counts_every_minute_at_any_hour()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var night = new { open = "18:00", close = "02:00" };
        var saved = await ReadAsync(await SendAsync(HttpMethod.Patch, "/api/v1/settings", tenant.OwnerToken, new
        {
            timeZone = "America/Chicago", businessHours = new { friday = night, saturday = night },
        }));
        using var sameTime = await SendAsync(HttpMethod.Patch, "/api/v1/settings", tenant.OwnerToken, new { businessHours = new { friday = new { open = "18:00", close = "18:00" } } });
        await OpenAroundTheClockAsync(tenant);
        var lead = (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Nell", source = "Reference" }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var id = (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, HotLeadWorkflow()), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        // withinBusinessHours holds whenever the suite runs, and 15 business minutes are 15 clock minutes, midnight or not.
        var plan = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/workflows/{id}/dry-run", tenant.OwnerToken, new
        {
            @event = new { leadId = lead, score = new { value = 91, tier = "hot" } }, leadId = lead,
        }));

        Assert.Equal("02:00", saved.GetProperty("businessHours").GetProperty("friday").GetProperty("close").GetString());
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(sameTime, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("businessHours.friday.close", out _));
        Assert.True(plan.GetProperty("triggered").GetBoolean());
        Assert.All(plan.GetProperty("conditions").EnumerateArray(), c => Assert.True(c.GetProperty("holds").GetBoolean()));
        Assert.Equal(TimeSpan.FromMinutes(15), plan.GetProperty("steps")[1].GetProperty("at").GetDateTimeOffset() - plan.GetProperty("evaluatedAt").GetDateTimeOffset());
    }

    // Every day 00:00-24:00 in UTC: 15 business minutes are 15 clock minutes, across midnight too.
    private async Task OpenAroundTheClockAsync(TestTenant tenant)
    {
        var day = new { open = "00:00", close = "24:00" };
        (await SendAsync(HttpMethod.Patch, "/api/v1/settings", tenant.OwnerToken, new
        {
            timeZone = "UTC", businessHours = new { monday = day, tuesday = day, wednesday = day, thursday = day, friday = day, saturday = day, sunday = day },
        })).Dispose();
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
