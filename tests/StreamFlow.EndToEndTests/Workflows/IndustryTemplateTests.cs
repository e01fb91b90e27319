using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Workflows;

/// <summary>Issue #16: industry templates, applied at tenant creation and on request, idempotent, never over the business's changes.</summary>
[Collection(HostCollection.Name)]
public sealed class IndustryTemplateTests(HostFixture fixture)
{
    [Fact]
    public async Task The_seven_templates_are_listed_and_one_reads_whole()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var list = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/industry-templates", tenant.OwnerToken));
        var gov = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/industry-templates/government_contracting", tenant.OwnerToken));
        using var missing = await SendAsync(HttpMethod.Get, "/api/v1/industry-templates/astrology", tenant.OwnerToken);

        Assert.Equal(
            ["electrical", "general", "government_contracting", "hvac", "landscaping", "plumbing", "roofing"],
            list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()).Order());
        Assert.Contains("naicsCode", gov.GetProperty("customFields").EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        Assert.Contains("setAside", gov.GetProperty("customFields").EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        await PlatformEndpointTests.AssertProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_business_created_with_an_industry_starts_with_its_template_and_the_workflows_disabled()
    {
        var tenant = await Tenants.CreateAsync(fixture, applyTemplate: true, industry: "roofing");

        var fields = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/custom-fields", tenant.OwnerToken));
        var workflows = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/workflows", tenant.OwnerToken));
        var stages = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/pipeline/stages", tenant.OwnerToken));
        var settings = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/settings", tenant.OwnerToken));
        var taskTemplates = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/task-templates", tenant.OwnerToken));

        Assert.Contains("insuranceClaim", fields.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        var saved = workflows.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, saved.Count);
        Assert.All(saved, w => Assert.False(w.GetProperty("enabled").GetBoolean()));
        Assert.Contains("insurance_review", Keys(stages));
        Assert.Equal("07:00", settings.GetProperty("businessHours").GetProperty("monday").GetProperty("open").GetString());
        Assert.Equal(["adjuster-prep", "schedule-inspection"], taskTemplates.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task Applying_keeps_what_the_business_changed_and_applying_again_adds_nothing()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var day = new { open = "06:00", close = "20:00" };
        await ReadAsync(await SendAsync(HttpMethod.Patch, "/api/v1/settings", tenant.OwnerToken, new { businessHours = new { monday = day, tuesday = day } }));
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/custom-fields", tenant.OwnerToken, new { key = "systemType", label = "Our system notes", type = "text" }), HttpStatusCode.Created);

        var preview = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/industry-templates/hvac/preview", tenant.OwnerToken));
        var afterPreview = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/custom-fields", tenant.OwnerToken));
        var first = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/industry-templates/hvac/apply", tenant.OwnerToken));
        var fields = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/custom-fields", tenant.OwnerToken));
        var refrigerant = fields.GetProperty("items").EnumerateArray().Single(f => f.GetProperty("key").GetString() == "refrigerant").GetProperty("id").GetString();
        using (await SendAsync(HttpMethod.Delete, $"/api/v1/custom-fields/{refrigerant}", tenant.OwnerToken))
        {
        }

        var hotLead = first.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("kind").GetString() == "workflow" && i.GetProperty("key").GetString() == "hot-lead-not-contacted").GetProperty("id").GetGuid();
        await ReadAsync(await SendAsync(HttpMethod.Delete, $"/api/v1/workflows/{hotLead}", tenant.OwnerToken));

        var second = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/industry-templates/hvac/apply", tenant.OwnerToken));
        var settings = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/settings", tenant.OwnerToken));
        var after = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/custom-fields", tenant.OwnerToken));
        var workflows = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/workflows", tenant.OwnerToken));

        Assert.False(preview.GetProperty("applied").GetBoolean());
        Assert.Equal(Outcomes(preview), Outcomes(first));
        Assert.Single(afterPreview.GetProperty("items").EnumerateArray());
        Assert.Equal("kept", Outcome(first, "customField", "systemType"));
        Assert.Equal("kept", Outcome(first, "setting", "businessHours"));
        Assert.Equal("added", Outcome(first, "customField", "systemAgeYears"));
        Assert.Equal("added", Outcome(first, "workflow", "hot-lead-not-contacted"));
        Assert.DoesNotContain(second.GetProperty("items").EnumerateArray(), i => i.GetProperty("outcome").GetString() == "added");
        Assert.Equal("skipped", Outcome(second, "customField", "refrigerant"));
        Assert.Equal("06:00", settings.GetProperty("businessHours").GetProperty("monday").GetProperty("open").GetString());
        Assert.Equal("text", after.GetProperty("items").EnumerateArray().Single(f => f.GetProperty("key").GetString() == "systemType").GetProperty("type").GetString());
        Assert.DoesNotContain("refrigerant", after.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        Assert.Equal("skipped", Outcome(second, "workflow", "hot-lead-not-contacted"));
        Assert.Equal(3, workflows.GetProperty("items").GetArrayLength());
        Assert.All(workflows.GetProperty("items").EnumerateArray(), w => Assert.False(w.GetProperty("enabled").GetBoolean()));
    }

    [Fact]
    public async Task A_template_workflow_the_business_cannot_hold_is_reported_invalid_not_saved()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        // The business's own stages (not the industry's defaults) stay, so roofing's setStage inspection has nowhere to go.
        await ReadAsync(await SendAsync(HttpMethod.Put, "/api/v1/pipeline/stages", tenant.OwnerToken, new
        {
            stages = new object[]
            {
                new { key = "new", name = "New", kind = "open" }, new { key = "won", name = "Won", kind = "won" }, new { key = "lost", name = "Lost", kind = "lost" },
            },
        }));

        var applied = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/industry-templates/roofing/apply", tenant.OwnerToken));

        Assert.Equal("kept", Outcome(applied, "stages", "pipeline"));
        var storm = applied.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("key").GetString() == "storm-damage-inspection");
        Assert.Equal("invalid", storm.GetProperty("outcome").GetString());
        Assert.Contains("steps[0].stage", storm.GetProperty("detail").GetString());
        Assert.Equal("added", Outcome(applied, "workflow", "estimate-follow-up"));
    }

    [Fact]
    public async Task Staff_may_not_apply_a_template()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/industry-templates/hvac/apply", staff.Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_create_task_step_names_a_task_template_of_the_business_or_is_a_422()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        object Workflow(string template) => new
        {
            name = $"Uses {template}", trigger = new { @event = "lead.created" },
            steps = new object[] { new { type = "createTask", taskTemplate = template, assignee = "recordOwner" } },
        };

        using var unknown = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, Workflow("replacement-talk"));
        var unknownProblem = await PlatformEndpointTests.AssertProblemAsync(unknown, HttpStatusCode.UnprocessableEntity);
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/industry-templates/hvac/apply", tenant.OwnerToken));
        var saved = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, Workflow("replacement-talk")), HttpStatusCode.Created);

        Assert.True(unknownProblem.GetProperty("errors").TryGetProperty("steps[0].taskTemplate", out _));
        Assert.Equal("replacement-talk", saved.GetProperty("steps")[0].GetProperty("taskTemplate").GetString());
    }

    private static IEnumerable<string?> Keys(JsonElement stages) =>
        (stages.ValueKind == JsonValueKind.Array ? stages : stages.GetProperty("items")).EnumerateArray().Select(s => s.GetProperty("key").GetString());

    private static string? Outcome(JsonElement application, string kind, string key) =>
        application.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("kind").GetString() == kind && i.GetProperty("key").GetString() == key).GetProperty("outcome").GetString();

    private static List<string> Outcomes(JsonElement application) =>
        [.. application.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("kind").GetString()}/{i.GetProperty("key").GetString()}={i.GetProperty("outcome").GetString()}")];

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
