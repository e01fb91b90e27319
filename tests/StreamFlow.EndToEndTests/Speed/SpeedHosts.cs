using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Speed;

/// <summary>What the several-hosts and crash tests do through the API of a host of their own.</summary>
internal static class SpeedHosts
{
    public static async Task<string> ImportAsync(HttpClient client, TestTenant tenant, string csv)
    {
        using var request = HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads/import?externalIdColumn=Lead%20ID", tenant.OwnerToken);
        request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, TestTenant tenant, string path)
    {
        using var response = await client.SendAsync(HostFixture.Authorized(HttpMethod.Get, path, tenant.OwnerToken));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> WaitForImportAsync(HttpClient client, TestTenant tenant, string statusUrl, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var status = await GetAsync(client, tenant, statusUrl);
            if (status.GetProperty("status").GetString() is "completed" or "failed" || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(250);
        }
    }

    public static async Task<List<JsonElement>> LeadsAsync(HttpClient client, TestTenant tenant) =>
        (await GetAsync(client, tenant, "/api/v1/leads?limit=100")).GetProperty("items").EnumerateArray().ToList();

    /// <summary>How many times the lead was scored, from its activity timeline.</summary>
    public static async Task<int> TimesScoredAsync(HttpClient client, TestTenant tenant, Guid leadId) =>
        (await GetAsync(client, tenant, $"/api/v1/leads/{leadId}/activities?limit=100")).GetProperty("items").EnumerateArray()
            .Count(a => a.GetProperty("kind").GetString() == "scored");

    public static string Csv(string prefix, int rows) =>
        "Lead ID,Name,Email,Lead Source,Budget\n"
        + string.Concat(Enumerable.Range(1, rows).Select(i => $"{prefix}-{i},Person {i},{prefix.ToLowerInvariant()}{i}@example.com,Referral,{i * 100}\n"));
}
