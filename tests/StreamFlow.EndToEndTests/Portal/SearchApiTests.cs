using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Portal;

[Collection(HostCollection.Name)]
public sealed class SearchApiTests(HostFixture fixture)
{
    [Fact]
    public async Task Finds_leads_and_tasks_by_prefix_and_with_a_typo_exact_first()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var dana = await CreateLeadAsync(tenant, new { firstName = "Dana", lastName = "Whitfield", company = "Northwind Cooling", source = "Reference" });
        var other = await CreateLeadAsync(tenant, new { firstName = "Walter", lastName = "Whitfieldson", source = "Reference" });
        var task = await PostAsync(tenant.OwnerToken, "/api/v1/tasks", new { title = "Call Dana Whitfield about the boiler", leadId = dana });

        var exact = await SearchAsync(tenant.OwnerToken, "dana whitfield");
        var prefix = await SearchAsync(tenant.OwnerToken, "Whitf");
        var typo = await SearchAsync(tenant.OwnerToken, "whitfeild");
        var company = await SearchAsync(tenant.OwnerToken, "northwind");

        Assert.Equal(dana, Ids(exact)[0]);
        Assert.Equal("exact", exact.GetProperty("items")[0].GetProperty("match").GetString());
        Assert.Equal($"/api/v1/leads/{dana}", exact.GetProperty("items")[0].GetProperty("link").GetString());
        Assert.Contains(task, Ids(exact));
        Assert.Superset(new HashSet<Guid> { dana, other, task }, Ids(prefix).ToHashSet());
        Assert.Contains(dana, Ids(typo));
        Assert.Equal("Dana Whitfield", company.GetProperty("items")[0].GetProperty("title").GetString());
        Assert.Equal(["task"], (await SearchAsync(tenant.OwnerToken, "whitfield", "types=task")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("type").GetString()).Distinct());
    }

    [Fact]
    public async Task Typos_and_word_parts_are_found_before_and_after_the_dictionary_takes_the_new_words()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var lead = await CreateLeadAsync(tenant, new { firstName = "Bartholomew", lastName = "Quackenbush", company = "Ironbridge Heating", source = "Reference" });

        // Written a moment ago: the dictionary does not have these words yet, the record is checked directly.
        Assert.Contains(lead, Ids(await SearchAsync(tenant.OwnerToken, "quackenbosh")));
        Assert.Contains(lead, Ids(await SearchAsync(tenant.OwnerToken, "bartholomew quackenbosh")));

        var taken = 0;
        for (var round = 0; round < 10; round++)
        {
            await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
            await connection.OpenAsync();
            await using var refresh = new NpgsqlCommand("SELECT search_words_refresh(100000)", connection);
            var refreshed = (int)(await refresh.ExecuteScalarAsync())!;
            taken += refreshed;
            if (refreshed == 0 && taken > 0)
            {
                break;
            }
        }

        Assert.True(taken > 0, "the refresh took no queued record");
        var typo = await SearchAsync(tenant.OwnerToken, "quackenbosh");
        var part = await SearchAsync(tenant.OwnerToken, "kenbush");
        var both = await SearchAsync(tenant.OwnerToken, "bartolomew ironbridge");
        Assert.Equal((lead, "fuzzy"), (Ids(typo)[0], typo.GetProperty("items")[0].GetProperty("match").GetString()));
        Assert.Equal((lead, "contains"), (Ids(part)[0], part.GetProperty("items")[0].GetProperty("match").GetString()));
        Assert.Contains(lead, Ids(both));
        Assert.Empty(Ids(await SearchAsync(tenant.OwnerToken, "zzyzx")));
    }

    [Fact]
    public async Task A_renamed_or_deleted_record_is_found_as_it_is_now_and_another_business_is_never_found()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var neighbour = await Tenants.CreateAsync(fixture);
        var lead = await CreateLeadAsync(tenant, new { firstName = "Priya", lastName = "Oldname", source = "Reference" });
        var gone = await CreateLeadAsync(tenant, new { firstName = "Ignatius", lastName = "Removed", source = "Reference" });
        await CreateLeadAsync(neighbour, new { firstName = "Priya", lastName = "Newname", source = "Reference" });

        using (var rename = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{lead}", tenant.OwnerToken, new { lastName = "Newname" })))
        {
            Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
        }

        using (var delete = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/leads/{gone}", tenant.OwnerToken)))
        {
            Assert.True(delete.IsSuccessStatusCode);
        }

        Assert.Equal([lead], Ids(await SearchAsync(tenant.OwnerToken, "priya newname")));
        Assert.Empty(Ids(await SearchAsync(tenant.OwnerToken, "oldname")));
        Assert.Empty(Ids(await SearchAsync(tenant.OwnerToken, "ignatius")));
    }

    [Fact]
    public async Task The_caller_finds_only_the_kinds_its_role_may_read()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var owner = await SearchAsync(tenant.OwnerToken, "olive");
        var asEmployee = await SearchAsync(employee.Token, "olive");

        Assert.Contains("user", Strings(owner.GetProperty("types")));
        Assert.Contains(owner.GetProperty("items").EnumerateArray(), item => item.GetProperty("type").GetString() == "user");
        Assert.DoesNotContain("user", Strings(asEmployee.GetProperty("types")));
        Assert.DoesNotContain("invoice", Strings(asEmployee.GetProperty("types")));
        Assert.DoesNotContain(asEmployee.GetProperty("items").EnumerateArray(), item => item.GetProperty("type").GetString() == "user");
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=", "q")]
    [InlineData("q=a", "q")]
    [InlineData("q=%20%20!%20", "q")]
    [InlineData("q=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", "q")]
    [InlineData("q=dana&types=spaceships", "types")]
    [InlineData("q=dana&limit=0", "limit")]
    public async Task Bad_input_is_a_400_naming_the_parameter(string query, string field)
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/search?" + query, tenant.OwnerToken));
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("a & b | !c:* <-> (d)")]
    [InlineData("%_\\' OR 1=1 --")]
    public async Task Operators_are_plain_text(string typed)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await CreateLeadAsync(tenant, new { firstName = "Percy", lastName = "Underscore", source = "Reference" });

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/search?q=" + Uri.EscapeDataString(typed), tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_long_search_is_refused_not_run()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var long5k = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/search?q=" + new string('x', 5_000), tenant.OwnerToken));
        using var long10k = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/search?q=" + new string('x', 10_000), tenant.OwnerToken));
        var problem = await PlatformEndpointTests.AssertProblemAsync(long5k, HttpStatusCode.BadRequest);

        Assert.Contains("at most 100", problem.GetProperty("errors").GetProperty("q")[0].GetString(), StringComparison.Ordinal);
        // Beyond the server's request-line limit (8 KB) the web server itself refuses it, before any code of ours.
        Assert.Equal(HttpStatusCode.RequestUriTooLong, long10k.StatusCode);
    }

    private async Task<JsonElement> SearchAsync(string token, string q, string? extra = null)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/search?q={Uri.EscapeDataString(q)}{(extra is null ? "" : "&" + extra)}", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<Guid> CreateLeadAsync(TestTenant tenant, object lead) => PostAsync(tenant.OwnerToken, "/api/v1/leads", lead);

    private async Task<Guid> PostAsync(string token, string path, object body)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, path, token, body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static List<Guid> Ids(JsonElement results) => [.. results.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetGuid())];

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(item => item.GetString()!)];
}
