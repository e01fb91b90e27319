using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Scoring;

[Collection(HostCollection.Name)]
public sealed class ImportAndScoringTests(HostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Import_keeps_good_rows_reports_bad_ones_and_a_second_import_updates_instead_of_duplicating()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        const string csv = "Lead ID,Name,Email,Lead Source,Budget,Converted\n"
            + "A-1,Ann Archer,ann@example.com,Referral,1200,1\n"
            + "A-2,Bob Baker,not-an-email,Web,800,0\n"
            + "A-3,\"Cy \"broken\" Cole\",cy@example.com,Web,50,0\n"
            + "A-4,Dee Dale,dee@example.com,Web,300,\n";

        var first = await ImportAsync(tenant, csv, "Lead ID", "Converted");
        var second = await ImportAsync(tenant, csv, "Lead ID", "Converted");
        using var list = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads?limit=50", tenant.OwnerToken));
        var leads = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal(4, first.GetProperty("total").GetInt32());
        Assert.Equal(2, first.GetProperty("created").GetInt32());
        Assert.Equal([2, 3], first.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()).Order());
        Assert.Equal(0, second.GetProperty("created").GetInt32());
        Assert.Equal(2, second.GetProperty("updated").GetInt32());
        Assert.Equal(["A-1", "A-4"], leads.Select(l => l.GetProperty("externalId").GetString()).Order());
        Assert.Equal("won", leads.Single(l => l.GetProperty("externalId").GetString() == "A-1").GetProperty("outcome").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Import_that_is_not_csv_is_415()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads/import", tenant.OwnerToken, new { rows = 1 }));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_new_lead_is_scored_by_rules_and_routed_to_the_least_loaded_staff_member()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");

        using var created = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken,
            new { firstName = "Rae", company = "Rae Dental", email = "rae@example.com", phone = "+15550100001", source = "Referral" }));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var lead = await WaitForScoreAsync(tenant, id);
        var score = lead.GetProperty("score");

        Assert.InRange(score.GetProperty("value").GetInt32(), 0, 100);
        Assert.Contains(score.GetProperty("tier").GetString(), new[] { "hot", "warm", "cold" });
        Assert.Equal(JsonValueKind.Null, score.GetProperty("probability").ValueKind);
        Assert.StartsWith("rules-", score.GetProperty("model").GetString(), StringComparison.Ordinal);
        Assert.Equal(staff.Id, lead.GetProperty("ownerUserId").GetGuid());
    }

    [Fact]
    public async Task Training_on_real_history_promotes_a_model_that_scores_new_leads_with_named_factors()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var trainCsv = await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepositoryRoot, "data", "leads", "train.csv"));

        var imported = await ImportAsync(tenant, trainCsv, "Prospect ID", "Converted", TimeSpan.FromMinutes(4));
        using var train = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/scoring/model/train", tenant.OwnerToken));
        var trainStatus = await PollAsync(tenant, (await train.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!,
            s => s.GetProperty("status").GetString() != "training", TimeSpan.FromMinutes(3));
        using var modelResponse = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/scoring/model", tenant.OwnerToken));
        var model = await modelResponse.Content.ReadFromJsonAsync<JsonElement>();
        using var created = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new
        {
            firstName = "New", source = "Reference", attributes = new Dictionary<string, object> { ["Total Time Spent on Website"] = 1500, ["Lead Origin"] = "Lead Add Form" },
        }));
        var lead = await WaitForScoreAsync(tenant, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        var score = lead.GetProperty("score");

        Assert.Equal(6547, imported.GetProperty("processed").GetInt32());
        Assert.Equal("serving", trainStatus.GetProperty("status").GetString());
        Assert.Equal("serving", model.GetProperty("status").GetString());
        Assert.True(model.GetProperty("metrics").GetProperty("auc").GetDouble() > 0.85);
        Assert.True(score.GetProperty("probability").GetDouble() is > 0 and < 1);
        Assert.StartsWith("conversion@", score.GetProperty("model").GetString(), StringComparison.Ordinal);
        Assert.Contains(score.GetProperty("factors").EnumerateArray(), f => f.GetProperty("name").GetString()!.Contains(':', StringComparison.Ordinal));
        await AssertGovernanceOfTheServingModelAsync(tenant, model);
    }

    [Fact]
    public async Task Governance_without_a_model_has_no_card_advises_training_and_names_an_unknown_attribute()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/scoring/model/governance", tenant.OwnerToken));
        var governance = await response.Content.ReadFromJsonAsync<JsonElement>();
        using var bad = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/scoring/model/governance?fairnessBy=religion", tenant.OwnerToken));
        var problem = await PlatformEndpointTests.AssertProblemAsync(bad, HttpStatusCode.BadRequest);

        Assert.Equal(JsonValueKind.Null, governance.GetProperty("card").ValueKind);
        Assert.Empty(governance.GetProperty("drift").EnumerateArray());
        Assert.False(governance.GetProperty("retrain").GetProperty("recommended").GetBoolean());
        Assert.True(problem.GetProperty("errors").TryGetProperty("fairnessBy", out _));
    }

    private async Task AssertGovernanceOfTheServingModelAsync(TestTenant tenant, JsonElement model)
    {
        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/scoring/model/governance?fairnessBy=source,postalArea", tenant.OwnerToken));
        var governance = await response.Content.ReadFromJsonAsync<JsonElement>();
        var card = governance.GetProperty("card");
        var fairness = governance.GetProperty("fairness")[0];

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(model.GetProperty("version").GetInt32(), card.GetProperty("version").GetInt32());
        Assert.Equal(model.GetProperty("samples").GetInt32(), card.GetProperty("samples").GetInt32());
        Assert.InRange(card.GetProperty("topFeatures").GetArrayLength(), 1, 5);
        Assert.NotEmpty(card.GetProperty("knownLimits").EnumerateArray());
        var drift = governance.GetProperty("drift").EnumerateArray().ToList();
        Assert.Equal(["source", "state", "postalArea"], drift.Where(d => d.GetProperty("of").GetString() == "lead").Select(d => d.GetProperty("feature").GetString()));
        var modelColumns = drift.Where(d => d.GetProperty("of").GetString() == "model").Select(d => d.GetProperty("feature").GetString()).ToList();
        Assert.All(card.GetProperty("topFeatures").EnumerateArray(), f => Assert.Contains(f.GetProperty("feature").GetString(), modelColumns));
        Assert.All(drift, d => Assert.True(d.GetProperty("stability").GetDouble() >= 0));
        Assert.Equal("source", fairness.GetProperty("attribute").GetString());
        Assert.Contains(fairness.GetProperty("groups").EnumerateArray(), g => g.GetProperty("group").GetString() == "Reference");
        Assert.All(fairness.GetProperty("groups").EnumerateArray(), g => Assert.InRange(g.GetProperty("hotRate").GetDouble(), 0, 1));
        Assert.Equal(0, governance.GetProperty("live").GetProperty("outcomes").GetInt32());
    }

    [Fact]
    public async Task A_tenants_own_rules_score_its_next_leads_and_invalid_rules_are_refused_with_field_errors()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var invalid = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/scoring/settings", tenant.OwnerToken, new
        {
            rules = new { name = "ours", version = 1, baseScore = 40, rules = new[] { new { label = "Bad", points = 10, when = new[] { new { field = "source", @operator = "resembles", value = "x" } } } } },
        }));
        using var valid = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/scoring/settings", tenant.OwnerToken, new
        {
            rules = new { name = "ours", version = 2, baseScore = 40, rules = new[] { new { label = "Came from the trade show", points = 50, when = new[] { new { field = "source", @operator = "equals", value = "Trade show" } } } } },
            thresholds = new { hot = 80, warm = 50 },
        }));
        using var created = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Tess", source = "Trade show" }));
        var lead = await WaitForScoreAsync(tenant, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        var score = lead.GetProperty("score");

        await PlatformEndpointTests.AssertProblemAsync(invalid, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal("rules-ours@2", score.GetProperty("model").GetString());
        Assert.Equal(90, score.GetProperty("value").GetInt32());
        Assert.Equal("hot", score.GetProperty("tier").GetString());
        Assert.Contains(score.GetProperty("factors").EnumerateArray(), f => f.GetProperty("name").GetString() == "Came from the trade show");
    }

    private async Task<JsonElement> ImportAsync(TestTenant tenant, string csv, string externalIdColumn, string outcomeColumn, TimeSpan? limit = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/leads/import?externalIdColumn={Uri.EscapeDataString(externalIdColumn)}&outcomeColumn={Uri.EscapeDataString(outcomeColumn)}")
        {
            Content = new StringContent(csv, Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.OwnerToken);
        using var response = await Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        return await PollAsync(tenant, statusUrl, s => s.GetProperty("status").GetString() is "completed" or "failed", limit ?? TimeSpan.FromSeconds(90));
    }

    private async Task<JsonElement> PollAsync(TestTenant tenant, string url, Func<JsonElement, bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, url, tenant.OwnerToken));
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (done(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not finished within {limit}: {status}");
            await Task.Delay(500);
        }
    }

    private Task<JsonElement> WaitForScoreAsync(TestTenant tenant, Guid leadId) =>
        PollAsync(tenant, $"/api/v1/leads/{leadId}", lead => lead.GetProperty("scoreStatus").GetString() != "pending", TimeSpan.FromSeconds(60));
}
