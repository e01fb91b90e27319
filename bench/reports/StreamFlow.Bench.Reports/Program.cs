using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Hosting;
using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Reports;
using StreamFlow.Core.Tenancy;

// Report generation for one tenant with many leads, printed, never asserted. The leads go in with COPY through the
// superuser connection (COPY FROM is refused on row-level-secured tables for roles that RLS applies to); the report
// itself runs as the application role inside the tenant's RLS transaction, exactly as in production.
//
//   dotnet StreamFlow.Bench.Reports.dll [leads, default 100000] [runs, default 5]
var leadCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
await using var provider = new ServiceCollection()
    .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .AddSingleton<IConfiguration>(configuration)
    .AddStreamFlowCore(configuration)
    .BuildServiceProvider();

var slug = $"bench-{Guid.NewGuid():N}"[..20];
var created = await provider.GetRequiredService<TenantService>().CreateAsync(
    new CreateTenantRequest("Bench Heating & Air", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Bench Owner", "correct horse battery staple")),
    "bench", new RequestOrigin(null, null), CancellationToken.None);
var tenantId = created.Value!.Tenant.Id;
var ownerId = created.Value.OwnerUserId;
var stages = await provider.GetRequiredService<PipelineService>().StagesAsync(tenantId, CancellationToken.None);

var admin = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("STREAMFLOW_TEST_PG_ADMIN")
    ?? throw new InvalidOperationException("STREAMFLOW_TEST_PG_ADMIN is not set: run bench/reports/run.sh.")) { Database = "streamflow" };
var loading = Stopwatch.StartNew();
var (leads, activities) = await BenchData.CopyAsync(admin.ConnectionString, tenantId, ownerId, stages, leadCount, DateTimeOffset.UtcNow);
Console.WriteLine($"loaded {leads:N0} leads and {activities:N0} activities with COPY in {loading.Elapsed.TotalSeconds:0.0} s");

var generator = provider.GetRequiredService<ReportGenerator>();
var renderer = provider.GetRequiredService<ReportRenderer>();
await renderer.RenderAsync(await generator.GenerateAsync(tenantId, ReportPeriodKind.Day, null, CancellationToken.None), CancellationToken.None);
foreach (var kind in Enum.GetValues<ReportPeriodKind>())
{
    var numbers = new List<double>();
    var rendering = new List<double>();
    ReportSummary summary = null!;
    for (var run = 0; run < runs; run++)
    {
        var clock = Stopwatch.StartNew();
        summary = await generator.GenerateAsync(tenantId, kind, null, CancellationToken.None);
        numbers.Add(clock.Elapsed.TotalMilliseconds);
        clock.Restart();
        await renderer.RenderAsync(summary, CancellationToken.None);
        rendering.Add(clock.Elapsed.TotalMilliseconds);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{kind,-5} report, {leadCount:N0} leads: numbers median {Median(numbers):0} ms (max {numbers.Max():0}), render (3 charts + HTML + CSV) median {Median(rendering):0} ms, total median {Median(numbers.Zip(rendering, (a, b) => a + b).ToList()):0} ms; target < 2000 ms; new leads {summary.NewLeads.Total}, forecast {summary.Forecast.Method}"));
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

internal static class BenchData
{
    private static readonly string[] Sources = ["Google Ads", "Referral", "Website", "Facebook", "Yelp", "Angi", "Walk-in", "Phone"];
    private static readonly string[] Tiers = ["hot", "warm", "cold"];

    /// <summary>A year of leads, more on weekdays; 20 % won, 15 % lost; 60 % answered by a user within two days.</summary>
    public static async Task<(int Leads, int Activities)> CopyAsync(string adminConnectionString, Guid tenantId, Guid ownerId, IReadOnlyList<PipelineStage> stages, int count, DateTimeOffset now)
    {
        var random = new Random(42);
        var open = stages.Where(s => s.Kind == StageKind.Open).Select(s => s.Key).ToArray();
        var won = stages.Single(s => s.Kind == StageKind.Won).Key;
        var lost = stages.Single(s => s.Kind == StageKind.Lost).Key;
        var touches = new List<(Guid Lead, DateTimeOffset At)>();
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY leads (id, tenant_id, first_name, last_name, email, source, attributes, owner_user_id, stage, outcome, won_amount, won_currency, lost_reason, outcome_at, score_tier, score_status, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                var createdAt = now.AddDays(-random.NextDouble() * 365);
                if (createdAt.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday && random.NextDouble() < 0.6)
                {
                    createdAt = createdAt.AddDays(2);
                }

                var id = Guid.CreateVersion7(createdAt);
                var roll = random.NextDouble();
                var outcome = roll < 0.20 ? "won" : roll < 0.35 ? "lost" : null;
                var outcomeAt = outcome is null ? (DateTimeOffset?)null : createdAt.AddDays(random.NextDouble() * 30);
                if (outcomeAt > now)
                {
                    (outcome, outcomeAt) = (null, null);
                }

                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(tenantId, NpgsqlDbType.Uuid);
                await writer.WriteAsync($"Lead{i}", NpgsqlDbType.Text);
                await writer.WriteAsync("Bench", NpgsqlDbType.Text);
                await writer.WriteAsync($"lead{i}@bench.example.com", NpgsqlDbType.Text);
                await writer.WriteAsync(Sources[random.Next(Sources.Length)], NpgsqlDbType.Text);
                await writer.WriteAsync(random.NextDouble() < 0.5 ? $"{{\"estimatedValue\": {random.Next(500, 20000)}}}" : "{}", NpgsqlDbType.Jsonb);
                await writer.WriteAsync(ownerId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(outcome == "won" ? won : outcome == "lost" ? lost : open[random.Next(open.Length)], NpgsqlDbType.Text);
                await WriteNullableAsync(writer, outcome, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, outcome == "won" ? (object)(decimal)random.Next(800, 15000) : null, NpgsqlDbType.Numeric);
                await WriteNullableAsync(writer, outcome == "won" ? "USD" : null, NpgsqlDbType.Char);
                await WriteNullableAsync(writer, outcome == "lost" ? "price" : null, NpgsqlDbType.Text);
                await WriteNullableAsync(writer, outcomeAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(Tiers[random.Next(Tiers.Length)], NpgsqlDbType.Text);
                await writer.WriteAsync("scored", NpgsqlDbType.Text);
                await writer.WriteAsync(createdAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync((outcomeAt ?? createdAt).UtcDateTime, NpgsqlDbType.TimestampTz);
                if (random.NextDouble() < 0.6)
                {
                    var touched = createdAt.AddHours(random.NextDouble() * 48);
                    if (touched < now)
                    {
                        touches.Add((id, touched));
                    }
                }
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY lead_activities (id, tenant_id, lead_id, kind, actor, occurred_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (lead, at) in touches)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
                await writer.WriteAsync(tenantId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(lead, NpgsqlDbType.Uuid);
                await writer.WriteAsync("note", NpgsqlDbType.Text);
                await writer.WriteAsync($"user:{ownerId}", NpgsqlDbType.Text);
                await writer.WriteAsync(at.UtcDateTime, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE leads; ANALYZE lead_activities;", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        return (count, touches.Count);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter writer, object? value, NpgsqlDbType type) =>
        value is null ? writer.WriteNullAsync() : writer.WriteAsync(value, type);
}
