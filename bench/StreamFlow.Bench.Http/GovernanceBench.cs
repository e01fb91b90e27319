using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace StreamFlow.Bench.Http;

/// <summary>
/// Issue #17's governance figure: drift and live quality for a business of LEADS leads, as the owner gets them
/// (GET /api/v1/scoring/model/governance), next to the least work that reads every one of its leads once (one
/// aggregate over the business's leads through the same app role and row-level security).
/// The leads are written straight into PostgreSQL (the write path is measured elsewhere): a year of them, a fifth
/// decided before the model is trained, outcomes drawn from a plan, a visit count and a source; the last 30 days
/// lean to another plan so that drift has something to find. The model is trained through the API.
/// </summary>
internal static class GovernanceBench
{
    private const int Runs = 10;
    private const int SeedBatch = 10_000;

    // A year of leads, the newest 30 days with the premium plan twice as often (the one drift to find); outcomes for a
    // fifth of the leads older than 60 days. Visits and postal codes are drawn at random, independent of age.
    private const string SeedSql = """
        SELECT set_config('app.tenant_id', @TenantId::text, false);
        INSERT INTO leads (id, tenant_id, first_name, source, plain_state, plain_postal_code, stage, attributes, outcome, outcome_at, created_at, updated_at)
        SELECT gen_random_uuid(), @TenantId, 'Lead ' || i,
               (ARRAY['Referral','Web','Ads','Event'])[1 + i % 4],
               (ARRAY['TX','OK','NM','LA'])[1 + (i / 7) % 4],
               (ARRAY['733','750','787','770'])[1 + floor(random() * 4)::int] || lpad(floor(random() * 100)::text, 2, '0'),
               'new',
               jsonb_build_object('Plan', plan, 'Visits', visits, 'Opted In', i % 5 < 2),
               CASE WHEN age > 60 AND i % 5 = 0 THEN CASE WHEN random() < 1 / (1 + exp(-(-2.0 + 0.12 * visits
                        + CASE plan WHEN 'Premium' THEN 1.5 WHEN 'Basic' THEN -1.0 ELSE 0 END
                        + CASE WHEN i % 4 = 0 THEN 1.2 ELSE 0 END))) THEN 'won' ELSE 'lost' END END,
               CASE WHEN age > 60 AND i % 5 = 0 THEN now() - ((age - 30) || ' days')::interval END,
               now() - (age || ' days')::interval, now() - (age || ' days')::interval
        FROM (SELECT i, (i * 7919) % 365 AS age, floor(random() * 30)::int AS visits,
                     CASE WHEN (i * 7919) % 365 < 30 AND i % 3 <> 0 THEN 'Premium'
                          ELSE (ARRAY['Basic','Plus','Premium'])[1 + (i / 11) % 3] END AS plan
              FROM generate_series(@From, @To) AS i) AS g
        """;

    // Outcomes that arrive after training, on leads scored by a stand-in of the model (the sweep that would score
    // them is off in the bench): live quality has 5,000 outcomes the model never saw.
    private const string LaterOutcomesSql = """
        WITH scored AS (
            SELECT id, round(100 / (1 + exp(-(-2.0 + 0.12 * (attributes->>'Visits')::numeric
                       + CASE attributes->>'Plan' WHEN 'Premium' THEN 1.5 WHEN 'Basic' THEN -1.0 ELSE 0 END))))::smallint AS value
            FROM leads WHERE outcome IS NULL AND created_at < now() - interval '30 days' AND deleted_at IS NULL
            ORDER BY id LIMIT 5000)
        UPDATE leads AS l SET score_value = s.value, score_tier = CASE WHEN s.value >= 70 THEN 'hot' WHEN s.value >= 40 THEN 'warm' ELSE 'cold' END,
            scored_at = now(), score_status = 'scored',
            outcome = CASE WHEN random() * 100 < s.value THEN 'won' ELSE 'lost' END, outcome_at = now()
        FROM scored AS s WHERE l.id = s.id
        """;

    private const string BaselineSql = """
        SELECT count(*), count(*) FILTER (WHERE outcome IS NOT NULL), count(DISTINCT source), count(DISTINCT plain_state)
        FROM leads WHERE deleted_at IS NULL
        """;

    public static async Task RunAsync(HttpClient http, string providerToken, string appConnectionString, int leads)
    {
        var (tenantId, token) = await ApiBench.NewTenantAsync(http, providerToken);
        await using var dataSource = NpgsqlDataSource.Create(appConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        var started = Stopwatch.GetTimestamp();
        for (var from = 1; from <= leads; from += SeedBatch)
        {
            await using var seed = new NpgsqlCommand(SeedSql, connection) { CommandTimeout = 0 };
            seed.Parameters.AddWithValue("TenantId", tenantId);
            seed.Parameters.AddWithValue("From", from);
            seed.Parameters.AddWithValue("To", Math.Min(leads, from + SeedBatch - 1));
            await seed.ExecuteNonQueryAsync();
            Console.Write($"\rseeding: {Math.Min(leads, from + SeedBatch - 1):N0} leads");
        }

        Console.WriteLine();
        Console.WriteLine($"seeded {leads:N0} leads in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        started = Stopwatch.GetTimestamp();
        var training = await SendAsync(http, HttpMethod.Post, "/api/v1/scoring/model/train", token);
        var statusUrl = training.GetProperty("statusUrl").GetString()!;
        JsonElement run;
        do
        {
            await Task.Delay(1000);
            run = await SendAsync(http, HttpMethod.Get, statusUrl, token);
        }
        while (run.GetProperty("status").GetString() == "training");

        Console.WriteLine($"model: {run.GetProperty("status").GetString()} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        await using (var later = new NpgsqlCommand(LaterOutcomesSql, connection) { CommandTimeout = 0 })
        {
            await later.ExecuteNonQueryAsync();
        }

        var governance = new List<double>();
        JsonElement last = default;
        for (var i = 0; i < Runs; i++)
        {
            started = Stopwatch.GetTimestamp();
            last = await SendAsync(http, HttpMethod.Get, "/api/v1/scoring/model/governance?fairnessBy=source,state,postalArea", token);
            governance.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var baseline = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            started = Stopwatch.GetTimestamp();
            await using var scan = new NpgsqlCommand(BaselineSql, connection);
            await using var reader = await scan.ExecuteReaderAsync();
            await reader.ReadAsync();
            baseline.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var drift = last.GetProperty("drift").EnumerateArray().ToList();
        Console.WriteLine($"governance of one business with {leads:N0} leads ({Runs} requests each, ms):");
        Console.WriteLine($"  GET /api/v1/scoring/model/governance  p50 {Median(governance):0.0}  max {governance.Max():0.0}   (target < 5,000)");
        Console.WriteLine($"  baseline: one aggregate over the business's leads  p50 {Median(baseline):0.0}  max {baseline.Max():0.0}");
        Console.WriteLine($"  ratio {Median(governance) / Median(baseline):0.0}x; live outcomes {last.GetProperty("live").GetProperty("outcomes").GetInt32()}, drift entries {drift.Count}:");
        foreach (var d in drift)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {d.GetProperty("of").GetString(),-6} {d.GetProperty("feature").GetString(),-12} {d.GetProperty("stability").GetDouble(),8:0.0000} {d.GetProperty("status").GetString()}  ({d.GetProperty("trainingLeads").GetInt64():N0} vs {d.GetProperty("recentLeads").GetInt64():N0} leads)"));
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
