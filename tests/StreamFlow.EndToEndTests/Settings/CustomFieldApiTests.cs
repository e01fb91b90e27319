using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Settings;

/// <summary>Issue #16, custom fields: typed definitions checked on every lead write and import row, published as JSON Schema.</summary>
[Collection(HostCollection.Name)]
public sealed class CustomFieldApiTests(HostFixture fixture)
{
    [Fact]
    public async Task Lead_writes_with_a_value_of_the_wrong_type_or_without_a_required_field_are_a_400_naming_the_field()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await DefineAsync(tenant, new { key = "systemAge", label = "System age (years)", type = "number", required = true });
        await DefineAsync(tenant, new { key = "systemType", label = "System type", type = "choice", options = new[] { "furnace", "heat pump", "boiler" } });
        await DefineAsync(tenant, new { key = "services", type = "multiChoice", options = new[] { "install", "repair", "maintenance plan" } });

        using var wrongType = await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken,
            new { firstName = "Ann", attributes = new Dictionary<string, object> { ["systemAge"] = "old", ["systemType"] = "window unit" } });
        using var missing = await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Bo" });
        using var good = await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken,
            new { firstName = "Cy", attributes = new Dictionary<string, object> { ["systemAge"] = 14, ["systemType"] = "furnace", ["services"] = new[] { "repair", "maintenance plan" }, ["free"] = "anything" } });
        var leadId = (await ReadAsync(good, HttpStatusCode.Created)).GetProperty("id").GetGuid();
        using var badPatch = await SendAsync(HttpMethod.Patch, $"/api/v1/leads/{leadId}", tenant.OwnerToken,
            new { attributes = new Dictionary<string, object?> { ["services"] = new[] { "demolition" }, ["systemAge"] = null } });
        using var goodPatch = await SendAsync(HttpMethod.Patch, $"/api/v1/leads/{leadId}", tenant.OwnerToken,
            new { attributes = new Dictionary<string, object> { ["systemType"] = "boiler" } });

        Assert.Equal(["attributes.systemAge", "attributes.systemType"],
            (await PlatformEndpointTests.AssertProblemAsync(wrongType, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal(["attributes.systemAge"],
            (await PlatformEndpointTests.AssertProblemAsync(missing, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(["attributes.services", "attributes.systemAge"],
            (await PlatformEndpointTests.AssertProblemAsync(badPatch, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal("boiler", (await ReadAsync(goodPatch)).GetProperty("attributes").GetProperty("systemType").GetString());
    }

    [Fact]
    public async Task The_schema_of_a_leads_attributes_lists_each_field_typed_and_the_required_ones()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await DefineAsync(tenant, new { key = "renewal", label = "Maintenance plan renewal", type = "date", required = true });
        await DefineAsync(tenant, new { key = "contractValue", type = "money" });
        using var duplicate = await SendAsync(HttpMethod.Post, "/api/v1/custom-fields", tenant.OwnerToken, new { key = "renewal", type = "text" });
        using var invalid = await SendAsync(HttpMethod.Post, "/api/v1/custom-fields", tenant.OwnerToken, new { key = "x", type = "colour", options = new[] { "red" } });

        var schema = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/custom-fields/schema", tenant.OwnerToken));
        var list = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/custom-fields", tenant.OwnerToken));

        Assert.Equal("date", schema.GetProperty("properties").GetProperty("renewal").GetProperty("format").GetString());
        Assert.Equal("Maintenance plan renewal", schema.GetProperty("properties").GetProperty("renewal").GetProperty("title").GetString());
        Assert.True(schema.GetProperty("properties").TryGetProperty("contractValue", out _));
        Assert.Equal(["renewal"], schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["contractValue", "renewal"], list.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(["options", "type"],
            (await PlatformEndpointTests.AssertProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task An_import_keeps_the_good_rows_and_reports_the_row_with_a_wrong_value()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await DefineAsync(tenant, new { key = "System Type", type = "choice", options = new[] { "furnace", "heat pump" } });
        const string Csv = "First Name,Email,System Type\nAda,ada@example.com,furnace\nBen,ben@example.com,window unit\nCal,cal@example.com,heat pump\n";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads/import") { Content = new StringContent(Csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.OwnerToken);
        var statusUrl = (await ReadAsync(await fixture.Client.SendAsync(request), HttpStatusCode.Accepted)).GetProperty("statusUrl").GetString()!;
        var status = await PollAsync(tenant, statusUrl);

        Assert.Equal(2, status.GetProperty("processed").GetInt32());
        Assert.Equal(1, status.GetProperty("failed").GetInt32());
        var error = Assert.Single(status.GetProperty("errors").EnumerateArray());
        Assert.Contains("attributes.System Type", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workflow_comparing_a_number_field_with_text_or_setting_a_choice_outside_its_options_is_a_422()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await DefineAsync(tenant, new { key = "systemAge", type = "number" });
        await DefineAsync(tenant, new { key = "systemType", type = "choice", options = new[] { "furnace", "boiler" } });

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "Old systems",
            trigger = new { @event = "lead.created" },
            conditions = new { rules = new object[] { new { field = "lead.attributes.systemAge", @operator = "gte", value = "fifteen" } } },
            steps = new object[] { new { type = "setField", field = "attributes.systemType", value = "window unit" } },
        });
        using var fine = await SendAsync(HttpMethod.Post, "/api/v1/workflows", tenant.OwnerToken, new
        {
            name = "Old systems",
            trigger = new { @event = "lead.created" },
            conditions = new { rules = new object[] { new { field = "lead.attributes.systemAge", @operator = "gte", value = 15 } } },
            steps = new object[] { new { type = "setField", field = "attributes.systemType", value = "boiler" } },
        });

        Assert.Equal(["conditions.rules[0].value", "steps[0].value"],
            (await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal(HttpStatusCode.Created, fine.StatusCode);
    }

    private async Task DefineAsync(TestTenant tenant, object field) =>
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/custom-fields", tenant.OwnerToken, field), HttpStatusCode.Created);

    private async Task<JsonElement> PollAsync(TestTenant tenant, string url)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var status = await ReadAsync(await SendAsync(HttpMethod.Get, url, tenant.OwnerToken));
            if (status.GetProperty("status").GetString() is "completed" or "failed")
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The import did not finish: {status}");
            await Task.Delay(300);
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
