using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Privacy;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.Bench.Http;

/// <summary>
/// Issue #15's figure through the HTTP API: a business of LEADS leads with sealed emails, looked up by email over
/// <c>GET /api/v1/leads?email=</c> (the blind index) for a while before a rotation of its data key (the baseline), then
/// while the rotation re-seals every row (started by the developer route, served by the host's durable orchestration):
/// lookups p50/p99 and any wrong or failed answer, next to the rotation's rows/s. The leads are sealed with the host's
/// own key ring (same settings) and written straight into PostgreSQL in batches; the write path is measured elsewhere.
/// </summary>
internal static class RotationBench
{
    private const int Connections = 8;
    private static readonly TimeSpan Baseline = TimeSpan.FromSeconds(30);

    private const string FillSql = """
        INSERT INTO leads (id, tenant_id, first_name, email_sealed, email_index, personal_key_version, stage, created_at, updated_at)
        SELECT i, @Tenant, 'Filler', s, x, @Version, 'new', now(), now() FROM unnest(@Ids, @Sealed, @Indexes) AS t (i, s, x)
        """;

    public static async Task RunAsync(HttpClient http, string baseUrl, string providerToken, IConfiguration configuration, int leads)
    {
        var (tenantId, token) = await ApiBench.NewTenantAsync(http, providerToken);
        await using var services = new ServiceCollection().AddLogging().AddSingleton(configuration).AddStreamFlowFunctions(configuration).BuildServiceProvider();
        var filled = Stopwatch.GetTimestamp();
        await FillAsync(services, tenantId, leads);
        await AnalyzeAsync(configuration);
        Console.WriteLine($"data-key rotation bench: {leads:N0} leads with sealed emails written in {Stopwatch.GetElapsedTime(filled).TotalSeconds:0.0} s; "
            + $"lookups over HTTP at {Connections} connections");

        var lookup = Lookup(baseUrl, token, leads);
        await LoadRun.RunAsync("warm-up", lookup, Connections, TimeSpan.FromSeconds(5));
        var before = await LoadRun.RunAsync("lookup by email, before", lookup, Connections, Baseline);
        Console.WriteLine(before);

        var developer = await LoginDeveloperAsync(http, configuration);
        var rotationId = await StartRotationAsync(http, developer, tenantId);
        var started = Stopwatch.GetTimestamp();
        KeyRotationProgress? last = null;
        var during = await LoadRun.RunWhileAsync("lookup by email, during the rotation", lookup, Connections, async () =>
        {
            last = await ProgressAsync(http, developer, rotationId);
            return last.Status is not ("completed" or "failed");
        });
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine(during);
        Console.WriteLine($"rotation {last!.Status}: {last.RowsDone:N0} of {last.RowsTotal:N0} rows re-sealed in {seconds:0.0} s, {last.RowsDone / seconds:0} rows/s"
            + (last.Error is null ? "" : $" ({last.Error})"));
        Console.WriteLine($"ratio during/before: p50 {during.P50Ms / before.P50Ms:0.00}, p99 {during.P99Ms / before.P99Ms:0.00}");
    }

    private sealed record KeyRotationProgress(string Status, long RowsTotal, long RowsDone, string? Error);

    private static string Email(int i) => $"lead{i}@rotation.example.com";

    private static async Task FillAsync(IServiceProvider services, Guid tenantId, int leads)
    {
        var database = services.GetRequiredService<StreamFlowDatabase>();
        var keys = await services.GetRequiredService<TenantKeyring>().ForTenantAsync(tenantId, default);
        for (var from = 0; from < leads; from += 5_000)
        {
            var batch = Enumerable.Range(from, Math.Min(5_000, leads - from)).Select(i => (Id: Guid.CreateVersion7(), Email: Email(i))).ToList();
            var fields = batch.Select(b => PersonalFields.SealLead(keys, b.Id, b.Email, null, null)).ToList();
            await database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(new CommandDefinition(FillSql, new
            {
                Tenant = tenantId, Version = keys.CurrentVersion, Ids = batch.Select(b => b.Id).ToArray(),
                Sealed = fields.Select(f => f.EmailSealed!).ToArray(), Indexes = fields.Select(f => f.EmailIndex!).ToArray(),
            }, scope.Transaction, commandTimeout: 0)), default);
        }
    }

    /// <summary>Fresh statistics after the fill, as autovacuum would give them a little later, so that the baseline is not
    /// measured on the plan of an empty table.</summary>
    private static async Task AnalyzeAsync(IConfiguration configuration)
    {
        await using var owner = new NpgsqlConnection(configuration["Postgres:OwnerConnectionString"]);
        await owner.ExecuteAsync("ANALYZE leads");
    }

    /// <summary>One lookup of a random lead's email; right only when exactly that lead comes back with its email opened.</summary>
    private static Func<HttpClient, Task<bool>> Lookup(string baseUrl, string token, int leads) => async client =>
    {
        var email = Email(Random.Shared.Next(leads));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/api/v1/leads?email={Uri.EscapeDataString(email)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
        return items.GetArrayLength() == 1 && items[0].GetProperty("email").GetString() == email;
    };

    private static async Task<string> LoginDeveloperAsync(HttpClient http, IConfiguration configuration)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/dev/auth/login",
            new { email = configuration["STREAMFLOW_DEV_EMAIL"], password = configuration["STREAMFLOW_DEV_PASSWORD"] });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<string> StartRotationAsync(HttpClient http, string developer, Guid tenantId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/dev/privacy/tenants/{tenantId}/data-key/rotations");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", developer);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<KeyRotationProgress> ProgressAsync(HttpClient http, string developer, string rotationId)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/dev/privacy/key-rotations/{rotationId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", developer);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new KeyRotationProgress(body.GetProperty("status").GetString()!, body.GetProperty("rowsTotal").GetInt64(), body.GetProperty("rowsDone").GetInt64(),
            body.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null);
    }
}
