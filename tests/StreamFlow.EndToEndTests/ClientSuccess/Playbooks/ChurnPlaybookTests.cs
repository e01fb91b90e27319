using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.ClientSuccess.Playbooks;

/// <summary>Churn playbooks over HTTP: a rule acts once per business per month, each action audited, its outcome settled.</summary>
[Collection(HostCollection.Name)]
public sealed class ChurnPlaybookTests(HostFixture fixture)
{
    [Fact]
    public async Task A_matching_rule_emails_the_owner_once_a_month_audits_it_and_a_suspended_business_counts_as_churned()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");
        var marker = Guid.NewGuid().ToString("N")[..8];
        using var created = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/churn-playbooks", provider, new
        {
            name = $"Check-in {marker}", minRisk = 0.0,
            actions = new object[]
            {
                new { type = "emailOwner", subject = $"How is it going, {{{{business}}}}? {marker}", body = "Your risk is {{risk}}. Reasons: {{reasons}}." },
                new { type = "createTask", title = "Call {{business}}", assignee = $"am-{marker}@provider.example", dueInDays = 2 },
            },
        }));
        using var never = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/churn-playbooks", provider, new
        {
            name = $"Never {marker}", minRisk = 1.0, actions = new object[] { new { type = "alertProvider" } },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ruleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var neverId = (await never.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        try
        {
            var path = $"/api/v1/provider/tenants/{tenant.Id}/churn-playbook-evaluations";
            using var first = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, path, provider));
            using var second = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, path, provider));

            var firstRuns = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("triggered").EnumerateArray().ToList();
            var mine = firstRuns.Single(r => r.GetProperty("playbookId").GetGuid() == ruleId);
            Assert.DoesNotContain(firstRuns, r => r.GetProperty("playbookId").GetGuid() == neverId);
            Assert.All(mine.GetProperty("actions").EnumerateArray(), a => Assert.Equal("done", a.GetProperty("status").GetString()));
            var again = await second.Content.ReadFromJsonAsync<JsonElement>();
            Assert.DoesNotContain(again.GetProperty("triggered").EnumerateArray(), r => r.GetProperty("playbookId").GetGuid() == ruleId);
            Assert.True(again.GetProperty("alreadyActed").GetInt32() >= 1);
            var mail = await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.Contains(marker, StringComparison.Ordinal));
            Assert.Contains($"Business {tenant.Slug}", mail.GetProperty("subject").GetString(), StringComparison.Ordinal);
            await Mailbox.WaitForMailAsync($"am-{marker}@provider.example");
            var audit = await (await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=100", tenant.OwnerToken))).Content.ReadFromJsonAsync<JsonElement>();
            var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
            Assert.Equal(1, actions.Count(a => a == "client_success.playbook.emailOwner"));
            Assert.Equal(1, actions.Count(a => a == "client_success.playbook.createTask"));

            using var suspend = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/suspend", provider, new { reason = "left" }));
            Assert.True(suspend.IsSuccessStatusCode, await suspend.Content.ReadAsStringAsync());
            using var afterLeaving = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, path, provider));
            using var runs = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{tenant.Id}/churn-playbook-runs", provider));
            await PlatformEndpointTests.AssertProblemAsync(afterLeaving, HttpStatusCode.NotFound);
            var run = (await runs.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Single(r => r.GetProperty("playbookId").GetGuid() == ruleId);
            Assert.Equal("churned", run.GetProperty("outcome").GetString());
        }
        finally
        {
            foreach (var id in new[] { ruleId, neverId })
            {
                using var stop = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/provider/churn-playbooks/{id}", provider));
            }
        }
    }

    [Fact]
    public async Task A_bad_rule_names_every_field_and_an_unknown_factor()
    {
        var provider = await fixture.LoginAsync("provider");

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/churn-playbooks", provider, new
        {
            name = "", minRisk = 1.5, factor = "moonPhase",
            actions = new object[] { new { type = "emailOwner" }, new { type = "createTask", title = "x", assignee = "nobody" }, new { type = "fax" } },
        }));

        var errors = (await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        foreach (var field in new[] { "name", "minRisk", "factor", "actions[0].subject", "actions[0].body", "actions[1].assignee", "actions[2].type" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }
    }
}
