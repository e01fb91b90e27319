using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Leads;

[Collection(HostCollection.Name)]
public sealed class LeadApiTests(HostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_created_lead_reads_back_with_its_typed_attributes_and_first_stage()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var created = await CreateAsync(tenant, new { firstName = "Dana", lastName = "Reyes", company = "Reyes Dental", email = "Dana@Reyes.example.com", phone = "+1 (555) 010-2233", source = "Referral", attributes = new { squareFeet = 2400, emergency = true, system = "heat pump" } });
        using var read = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{created.GetProperty("id").GetGuid()}", tenant.OwnerToken));
        var lead = await read.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("dana@reyes.example.com", lead.GetProperty("email").GetString());
        Assert.Equal("+15550102233", lead.GetProperty("phone").GetString());
        Assert.Equal("new", lead.GetProperty("stage").GetString());
        Assert.Equal(2400, lead.GetProperty("attributes").GetProperty("squareFeet").GetInt32());
        Assert.True(lead.GetProperty("attributes").GetProperty("emergency").GetBoolean());
        Assert.Equal("scored", lead.GetProperty("scoreStatus").GetString());
    }

    [Fact]
    public async Task The_201_of_a_created_lead_already_carries_its_score_and_a_change_is_answered_rescored()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var created = await CreateAsync(tenant, new { firstName = "Kim", company = "Kim's Bakery", source = "Referral", state = "TX" });
        using var change = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{created.GetProperty("id").GetGuid()}", tenant.OwnerToken, new { source = "Cold call" }));
        var changed = await change.Content.ReadFromJsonAsync<JsonElement>();

        var score = created.GetProperty("score");
        Assert.Equal("scored", created.GetProperty("scoreStatus").GetString());
        Assert.Contains(score.GetProperty("tier").GetString(), new[] { "hot", "warm", "cold" });
        Assert.InRange(score.GetProperty("confidence").GetDouble(), 0, 1);
        Assert.NotEqual(0, score.GetProperty("factors").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal("scored", changed.GetProperty("scoreStatus").GetString());
        Assert.True(changed.GetProperty("score").GetProperty("scoredAt").GetDateTimeOffset() >= score.GetProperty("scoredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_duplicate_email_is_409_pointing_at_the_existing_lead_or_merged_on_request()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var first = await CreateAsync(tenant, new { firstName = "Sam", email = "sam@example.com" });

        using var duplicate = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { company = "Sam's Roofing", email = "SAM@example.com" }));
        var problem = await PlatformEndpointTests.AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        using var merged = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads?merge=true", tenant.OwnerToken, new { company = "Sam's Roofing", email = "sam@example.com" }));
        var mergedLead = await merged.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(first.GetProperty("id").GetGuid(), problem.GetProperty("existingLeadId").GetGuid());
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Equal("Sam's Roofing", mergedLead.GetProperty("company").GetString());
        Assert.Equal("Sam", mergedLead.GetProperty("firstName").GetString());
    }

    [Fact]
    public async Task Invalid_fields_are_400_with_field_errors_and_an_unknown_stage_is_422()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var invalid = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { email = "not-an-email", phone = "call me", attributes = new { nested = new { a = 1 } } }));
        using var unknownStage = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "A", stage = "teleported" }));
        var problem = await PlatformEndpointTests.AssertProblemAsync(invalid, HttpStatusCode.BadRequest);

        Assert.Equal(["attributes.nested", "email", "phone"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        await PlatformEndpointTests.AssertProblemAsync(unknownStage, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Moving_through_the_pipeline_records_history_and_winning_needs_an_amount()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var id = (await CreateAsync(tenant, new { firstName = "Pat" })).GetProperty("id").GetGuid();

        using var toQuote = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{id}", tenant.OwnerToken, new { stage = "quote_sent" }));
        using var wonWithoutAmount = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{id}", tenant.OwnerToken, new { stage = "won" }));
        using var won = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{id}", tenant.OwnerToken, new { outcome = new { status = "won", amount = "12500.5", currency = "usd" } }));
        var wonLead = await won.Content.ReadFromJsonAsync<JsonElement>();
        using var history = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{id}/stage-history", tenant.OwnerToken));
        var stages = (await history.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(s => s.GetProperty("toStage").GetString()).ToList();

        Assert.Equal(HttpStatusCode.OK, toQuote.StatusCode);
        await PlatformEndpointTests.AssertProblemAsync(wonWithoutAmount, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("won", wonLead.GetProperty("stage").GetString());
        Assert.Equal("12500.50", wonLead.GetProperty("outcome").GetProperty("value").GetProperty("amount").GetString());
        Assert.Equal("USD", wonLead.GetProperty("outcome").GetProperty("value").GetProperty("currency").GetString());
        Assert.Equal(["new", "quote_sent", "won"], stages);
    }

    [Fact]
    public async Task The_list_filters_by_text_stage_and_source_and_pages_with_a_cursor()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await CreateAsync(tenant, new { firstName = "Quinn", company = "Northwind Heating", source = "Web" });
        await CreateAsync(tenant, new { firstName = "Riley", company = "Contoso Cooling", source = "Referral" });
        await CreateAsync(tenant, new { firstName = "Sky", company = "Fabrikam Air", source = "Web", notes = "asked about northwind pricing" });

        var byText = await ListAsync(tenant, "?q=northwind");
        var bySource = await ListAsync(tenant, "?source=Web");
        var firstPage = await ListAsync(tenant, "?limit=2");
        var secondPage = await ListAsync(tenant, $"?limit=2&cursor={firstPage.GetProperty("nextCursor").GetString()}");

        Assert.Equal(["Quinn", "Sky"], Names(byText).Order());
        Assert.Equal(["Quinn", "Sky"], Names(bySource).Order());
        Assert.Equal(2, Names(firstPage).Count);
        Assert.Equal(["Quinn"], Names(secondPage));
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task Deleted_leads_disappear_and_admins_restore_them()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var id = (await CreateAsync(tenant, new { firstName = "Gone", email = "gone@example.com" })).GetProperty("id").GetGuid();

        using var staffDelete = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/leads/{id}", staff.Token));
        using var delete = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/leads/{id}", tenant.OwnerToken));
        using var afterDelete = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{id}", tenant.OwnerToken));
        using var restore = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/leads/{id}/restore", tenant.OwnerToken));
        using var afterRestore = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{id}", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.Forbidden, staffDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterRestore.StatusCode);
    }

    [Fact]
    public async Task Notes_and_changes_appear_on_the_timeline_newest_first()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var id = (await CreateAsync(tenant, new { firstName = "Tim" })).GetProperty("id").GetGuid();

        using var note = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/leads/{id}/notes", tenant.OwnerToken, new { body = "Called, wants a quote Friday" }));
        using var stage = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{id}", tenant.OwnerToken, new { stage = "contacted" }));
        using var timeline = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{id}/activities", tenant.OwnerToken));
        var kinds = (await timeline.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("kind").GetString())
            .Where(kind => kind is "stage_changed" or "note" or "created")
            .ToList();

        Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        Assert.Equal(["stage_changed", "note", "created"], kinds);
    }

    [Fact]
    public async Task A_lead_its_timeline_and_its_stage_history_name_the_people_beside_their_ids()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var id = (await CreateAsync(tenant, new { firstName = "Nadia" })).GetProperty("id").GetGuid();

        using var assigned = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{id}", tenant.OwnerToken, new { ownerUserId = staff.Id }));
        using var moved = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{id}", staff.Token, new { stage = "contacted" }));
        using var listed = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads?owner={staff.Id}", tenant.OwnerToken));
        using var timeline = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{id}/activities", tenant.OwnerToken));
        using var history = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{id}/stage-history", tenant.OwnerToken));

        var afterAssign = await assigned.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(assigned.StatusCode == HttpStatusCode.OK, afterAssign.ToString());
        Assert.Equal("A staff", afterAssign.GetProperty("ownerName").GetString());
        Assert.Equal("A staff", Assert.Single((await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()).GetProperty("ownerName").GetString());
        var stageChange = (await timeline.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().First(a => a.GetProperty("kind").GetString() == "stage_changed");
        Assert.Equal($"user:{staff.Id}", stageChange.GetProperty("actor").GetString());
        Assert.Equal("A staff", stageChange.GetProperty("actorName").GetString());
        var change = (await history.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Last();
        Assert.Equal("contacted", change.GetProperty("toStage").GetString());
        Assert.Equal("A staff", change.GetProperty("changedByName").GetString());
    }

    [Fact]
    public async Task Another_tenants_lead_ids_are_404_everywhere_and_its_lead_is_unchanged()
    {
        var tenantA = await Tenants.CreateAsync(fixture);
        var tenantB = await Tenants.CreateAsync(fixture);
        var leadOfB = (await CreateAsync(tenantB, new { firstName = "Private", email = "private@b.example.com" })).GetProperty("id").GetGuid();
        var snapshot = await ContactFieldsAsync(tenantB, leadOfB);

        (HttpMethod Method, string Path, object? Body)[] probes =
        [
            (HttpMethod.Get, $"/api/v1/leads/{leadOfB}", null),
            (HttpMethod.Patch, $"/api/v1/leads/{leadOfB}", new { firstName = "Hijacked" }),
            (HttpMethod.Delete, $"/api/v1/leads/{leadOfB}", null),
            (HttpMethod.Post, $"/api/v1/leads/{leadOfB}/restore", null),
            (HttpMethod.Post, $"/api/v1/leads/{leadOfB}/notes", new { body = "x" }),
            (HttpMethod.Get, $"/api/v1/leads/{leadOfB}/activities", null),
            (HttpMethod.Get, $"/api/v1/leads/{leadOfB}/stage-history", null),
        ];
        foreach (var (method, path, body) in probes)
        {
            using var response = await Client.SendAsync(HostFixture.Authorized(method, path, tenantA.OwnerToken, body));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
        }

        Assert.Equal(snapshot, await ContactFieldsAsync(tenantB, leadOfB));
    }

    /// <summary>What a client changes; the score and owner move on their own as scoring runs in the background.</summary>
    private async Task<string> ContactFieldsAsync(TestTenant tenant, Guid leadId)
    {
        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/leads/{leadId}", tenant.OwnerToken));
        var lead = await response.Content.ReadFromJsonAsync<JsonElement>();
        return string.Join("|", new[] { "firstName", "email", "stage", "version", "updatedAt" }.Select(name => lead.GetProperty(name).ToString()));
    }

    private async Task<JsonElement> CreateAsync(TestTenant tenant, object lead)
    {
        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, lead));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> ListAsync(TestTenant tenant, string query)
    {
        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads" + query, tenant.OwnerToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string?> Names(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("firstName").GetString()).ToList();
}
