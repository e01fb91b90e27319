using System.Globalization;
using System.Text;
using Npgsql;
using StreamFlow.Bench.Churn;
using StreamFlow.Core.ClientSuccess;
using StreamFlow.Core.Database;

// bench/churn/run.sh starts the database and passes its connections; see run.sh for what this prints.
var options = Arguments(args);
var count = int.Parse(options.GetValueOrDefault("businesses", "200"), CultureInfo.InvariantCulture);
var seed = int.Parse(options.GetValueOrDefault("seed", "2126"), CultureInfo.InvariantCulture);
const int HorizonDays = 60;
int[] trainCutoffs = [90, 120, 150, 180];
int[] testCutoffs = [240, 270, 300];

var random = new Random(seed);
var businesses = Simulation.Businesses(count, random);
var rows = await SeedAsync(ToNpgsql(options["admin"]), businesses, random);
Console.WriteLine($"simulated {count} businesses over {Simulation.Days} days (seed {seed}): {businesses.Count(b => b.ChurnAt is not null)} churn during the year; "
    + string.Join(", ", rows.Select(r => $"{r.Value:N0} {r.Key}")));

await using var appSource = NpgsqlDataSource.Create(ToNpgsql(options["app"]));
var database = new StreamFlowDatabase(appSource);
var service = new ClientSuccessService(database, TimeProvider.System,
    new StreamFlow.Core.Audit.AuditLog(database, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<StreamFlow.Core.Audit.AuditLog>.Instance));
var byId = businesses.ToDictionary(b => b.Id);

async Task<List<(int Day, ChurnSignals Signals, bool Churned)>> LabelledAsync(int[] cutoffs)
{
    var examples = new List<(int, ChurnSignals, bool)>();
    foreach (var day in cutoffs)
    {
        var at = Simulation.Start.AddDays(day);
        foreach (var signals in await service.SignalsAsOfAsync(at, CancellationToken.None))
        {
            var churn = byId[signals.TenantId].ChurnAt;
            examples.Add((day, signals, churn > at && churn <= at.AddDays(HorizonDays)));
        }
    }

    return examples;
}

var train = await LabelledAsync(trainCutoffs);
if (options.ContainsKey("select"))
{
    // --select: which candidate factors raise the AUC inside the training period (FactorSelection); reads no test cutoff.
    FactorSelection.Run(train, HorizonDays);
}

var test = await LabelledAsync(testCutoffs);
if (options.TryGetValue("dump", out var dumpPath))
{
    // --dump <file>: every labelled example's signals as CSV (split, cutoff day, label, story, business, signals), for offline study.
    var numeric = typeof(ChurnSignals).GetProperties().Where(p => p.PropertyType != typeof(string) && p.PropertyType != typeof(Guid)).ToList();
    var csv = new StringBuilder("split,day,churned,story,business," + string.Join(",", numeric.Select(p => p.Name)) + "\n");
    foreach (var (split, cutoffs) in new[] { ("train", trainCutoffs), ("test", testCutoffs) })
    {
        foreach (var day in cutoffs)
        {
            var at = Simulation.Start.AddDays(day);
            foreach (var signals in await service.SignalsAsOfAsync(at, CancellationToken.None))
            {
                var churn = byId[signals.TenantId].ChurnAt;
                var label = churn > at && churn <= at.AddDays(HorizonDays);
                csv.Append(CultureInfo.InvariantCulture, $"{split},{day},{(label ? 1 : 0)},{byId[signals.TenantId].Story},{byId[signals.TenantId].Index},")
                    .AppendJoin(',', numeric.Select(p => p.GetValue(signals) is long[] weeks ? string.Join(' ', weeks) : Convert.ToString(p.GetValue(signals) ?? "", CultureInfo.InvariantCulture))).Append('\n');
            }
        }
    }

    await File.WriteAllTextAsync(dumpPath, csv.ToString());
}

var model = ChurnModelTrainer.Fit(train.Select(e => new ChurnExample(ChurnFactors.Measure(e.Signals), e.Churned)).ToList(),
    version: $"bench-churn-seed{seed}", trainedOn: $"bench/churn: {count} simulated businesses, cutoffs at days {string.Join("/", trainCutoffs)} of the simulated year",
    horizonDays: HorizonDays);

// The naive baseline: how far the business's recorded activity (sign-ins, leads created, stage changes) fell in the last
// 30 days against its monthly rate over the 60 days before.
static double ActivityDrop(ChurnSignals s) =>
    -Math.Log((s.LoginsRecent + s.LeadsRecent + s.StageChangesRecent + 1.0) / ((s.LoginsPrior + s.LeadsPrior + s.StageChangesPrior) / 2.0 + 1));

var modelScores = test.Select(e => (model.Probability(ChurnFactors.Measure(e.Signals)), e.Churned)).ToList();
var baselineScores = test.Select(e => (ActivityDrop(e.Signals), e.Churned)).ToList();
Console.WriteLine($"train: cutoffs at days {string.Join(", ", trainCutoffs)}: {train.Count} business-months, {train.Count(e => e.Churned)} churn within {HorizonDays} days");
Console.WriteLine($"test:  cutoffs at days {string.Join(", ", testCutoffs)}: {test.Count} business-months, {test.Count(e => e.Churned)} churn within {HorizonDays} days "
    + $"(base rate {test.Count(e => e.Churned) / (double)test.Count:P1})");
Console.WriteLine();
Console.WriteLine($"  {"score (test cutoffs)",-48} {"AUC",6} {"precision@top10%",17}");
Print($"churn model (logistic, {ChurnFactors.All.Count} factors)", modelScores);
Print("baseline: last-30-day activity drop", baselineScores);
var auc = ChurnEvaluation.Auc(modelScores) - ChurnEvaluation.Auc(baselineScores);
Console.WriteLine($"  model - baseline AUC: {auc:+0.000;-0.000} (target >= +0.100)");
Console.WriteLine();
Console.WriteLine("  fitted weights (log-odds per standard deviation), largest first:");
foreach (var (name, weight) in model.Factors.Zip(model.Weights).OrderByDescending(p => Math.Abs(p.Second)))
{
    Console.WriteLine($"    {name,-16} {weight,8:+0.000;-0.000}");
}

Console.WriteLine();
Console.WriteLine("  per churn story, share of test churners the model ranks in its top 10 %:");
var threshold = modelScores.Select(s => s.Item1).OrderDescending().ElementAt((int)Math.Ceiling(modelScores.Count * 0.1) - 1);
foreach (var story in Enum.GetValues<ChurnStory>())
{
    var churners = test.Where(e => e.Churned && byId[e.Signals.TenantId].Story == story).ToList();
    var caught = churners.Count(e => model.Probability(ChurnFactors.Measure(e.Signals)) >= threshold);
    Console.WriteLine($"    {story,-18} {caught,3} of {churners.Count,3}");
}

if (options.ContainsKey("write-model"))
{
    var path = Path.Combine(options["repo"], "src/StreamFlow.Core/ClientSuccess/churn-model.json");
    await File.WriteAllTextAsync(path, model.ToJson() + "\n");
    Console.WriteLine($"\nwrote {path}");
}

static void Print(string label, List<(double, bool)> scored) =>
    Console.WriteLine($"  {label,-48} {ChurnEvaluation.Auc(scored),6:0.000} {ChurnEvaluation.PrecisionAtTop(scored, 0.1),17:0.000}");

static Dictionary<string, string> Arguments(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        var name = args[i].TrimStart('-');
        options[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
    }

    return options;
}

// libpq key=value (as services.sh hands them out) to an Npgsql connection string.
static string ToNpgsql(string libpq)
{
    var map = new Dictionary<string, string> { ["host"] = "Host", ["port"] = "Port", ["user"] = "Username", ["password"] = "Password", ["dbname"] = "Database" };
    var builder = new NpgsqlConnectionStringBuilder();
    foreach (var pair in libpq.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)))
    {
        if (map.TryGetValue(pair[0], out var key))
        {
            builder[key] = pair[1];
        }
    }

    return builder.ConnectionString;
}

static async Task<Dictionary<string, long>> SeedAsync(string admin, List<SimulatedBusiness> businesses, Random random)
{
    var tables = new Dictionary<string, (string Columns, StringBuilder Rows)>
    {
        ["tenants"] = ("id, slug, name, industry, status, suspended_reason, suspended_at, created_at, updated_at", new StringBuilder()),
        ["users"] = ("id, tenant_id, email, name, role, status, created_at, updated_at", new StringBuilder()),
        ["tenant_pricing"] = ("id, tenant_id, effective_from, currency, base_fee, seat_price, included_leads, lead_price, ai_markup_rate, billing_day, recorded_at, recorded_by", new StringBuilder()),
        ["sessions"] = ("id, tenant_id, user_id, token_hash, created_at, last_seen_at, expires_at", new StringBuilder()),
        ["leads"] = ("id, tenant_id, stage, outcome, won_amount, won_currency, outcome_at, created_at, updated_at", new StringBuilder()),
        ["lead_stage_history"] = ("tenant_id, lead_id, from_stage, to_stage, changed_by, changed_at", new StringBuilder()),
        ["ai_usage"] = ("id, tenant_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens, cost_usd, markup_rate, billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at", new StringBuilder()),
        ["invoices"] = ("id, tenant_id, number, period_start, period_end, currency, status, subtotal, discount_total, tax_rate, tax_total, total, issued_at, due_at, finalized_at, paid_at, created_at, updated_at", new StringBuilder()),
        ["connections"] = ("id, tenant_id, kind, name, settings, credentials_ciphertext, schedule, created_at, updated_at", new StringBuilder()),
        ["connection_syncs"] = ("id, tenant_id, connection_id, trigger, status, created_at", new StringBuilder()),
    };
    var counts = tables.Keys.ToDictionary(k => k, _ => 0L);
    void Row(string table, params object?[] values)
    {
        tables[table].Rows.AppendJoin('\t', values.Select(Text)).Append('\n');
        counts[table]++;
    }

    Guid NewId() => Simulation.SeededId(random);

    var invoiceNumber = 0;
    foreach (var b in businesses)
    {
        var end = b.ChurnAt ?? Simulation.Start.AddDays(Simulation.Days);
        Row("tenants", b.Id, $"sim-{b.Index}", $"Simulated business {b.Index}", b.Industry, b.ChurnAt is null ? "active" : "suspended",
            b.ChurnAt is null ? null : "cancelled", b.ChurnAt, b.JoinedAt, end);
        var users = Enumerable.Range(0, b.Seats).Select(_ => NewId()).ToList();
        for (var u = 0; u < users.Count; u++)
        {
            Row("users", users[u], b.Id, $"u{u}@sim-{b.Index}.example", $"User {u}", u == 0 ? "owner" : "staff", "active", b.JoinedAt, b.JoinedAt);
        }

        Row("tenant_pricing", NewId(), b.Id, DateOnly.FromDateTime(b.JoinedAt.UtcDateTime), "USD", b.BaseFee, 25m, 100, 2m, 0.25m, 1, b.JoinedAt, "bench");
        if (b.DowngradeDay is { } downgrade)
        {
            var at = Simulation.Start.AddDays(downgrade);
            Row("tenant_pricing", NewId(), b.Id, DateOnly.FromDateTime(at.UtcDateTime), "USD", Math.Max(50m, b.BaseFee / 2), 25m, 100, 2m, 0.25m, 1, at, "bench");
        }

        Guid? connection = null;
        if (b.HasConnection)
        {
            connection = NewId();
            Row("connections", connection, b.Id, "sam_gov", "Opportunities", "{}", "\\\\x00", "daily", b.JoinedAt, b.JoinedAt);
        }

        for (var day = 0; day < Simulation.Days; day++)
        {
            var engagement = Simulation.Engagement(b, day);
            if (engagement == 0)
            {
                continue;
            }

            var date = Simulation.Start.AddDays(day);
            var daysLeft = Simulation.DaysLeft(b, day);
            var weekday = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.2 : 1.0;
            for (var u = 0; u < users.Count; u++)
            {
                var rate = b.LoginRate * engagement * weekday;
                if (u == 0 && (b.OwnerDelegates || (b.Story == ChurnStory.Disengages && daysLeft < 60)))
                {
                    rate = 0.03;
                }

                if (random.NextDouble() < rate)
                {
                    var at = date.AddHours(7 + random.NextDouble() * 11);
                    var hash = new byte[32];
                    random.NextBytes(hash);
                    Row("sessions", NewId(), b.Id, users[u], "\\\\x" + Convert.ToHexString(hash), at, at.AddHours(1), at.AddDays(30));
                }
            }

            var demand = (b.Dip is { } dip && day >= dip.From && day < dip.To ? 0.6 : 1.0)
                * (b.Story == ChurnStory.IntegrationBreaks && daysLeft < 75 ? 0.5 : 1.0)
                * (0.5 + 0.5 * engagement);
            var winRate = b.Story == ChurnStory.PoorResults && daysLeft < 120 ? b.WinRate * 0.5 : b.WinRate;
            for (var n = Poisson(random, b.LeadsPerDay * demand * weekday); n > 0; n--)
            {
                var lead = NewId();
                var created = date.AddHours(random.NextDouble() * 24);
                var decidedAt = created.AddDays(7 + random.Next(0, 24));
                var decided = random.NextDouble() < 0.6 && decidedAt < end;
                var won = decided && random.NextDouble() < winRate;
                Row("leads", lead, b.Id, won ? "won" : decided ? "lost" : "new", decided ? (won ? "won" : "lost") : null,
                    won ? 500m + random.Next(0, 9000) : null, won ? "USD" : null, decided ? decidedAt : null, created, created);
                for (var move = 1; move <= 2 && created.AddDays(move * 2) < end; move++)
                {
                    var movedAt = created.AddDays(move * 2 + random.NextDouble() * 2);
                    if (movedAt < end && random.NextDouble() < Simulation.Engagement(b, (int)(movedAt - Simulation.Start).TotalDays))
                    {
                        Row("lead_stage_history", b.Id, lead, move == 1 ? "new" : "contacted", move == 1 ? "contacted" : "qualified", "user", movedAt);
                    }
                }

                for (var calls = Poisson(random, b.AiPerLead * engagement); calls > 0; calls--)
                {
                    Row("ai_usage", NewId(), b.Id, "scoring", "gpt-4.1-mini", "bench", 800, 0, 120, 0.0004m, 0.25m, 0.0005m, false, false, 300, "succeeded",
                        created.AddMinutes(random.Next(1, 600)));
                }
            }

            if (connection is not null)
            {
                var failure = b.Story == ChurnStory.IntegrationBreaks && daysLeft < 75 ? 0.7
                    : b.OutageDay is { } outage && day >= outage && day < outage + 5 ? 1.0 : 0.02;
                Row("connection_syncs", NewId(), b.Id, connection, "schedule", random.NextDouble() < failure ? "failed" : "completed", date.AddHours(3));
            }

            if (date.Day == 1 && date > b.JoinedAt)
            {
                var issued = date.AddHours(6);
                var due = issued.AddDays(14);
                var trouble = b.Story == ChurnStory.PaymentTrouble && daysLeft < 100;
                var late = (b.LatePayer && random.NextDouble() < 0.5) || random.NextDouble() < 0.03;
                DateTimeOffset? paid = trouble ? null : late ? due.AddDays(5 + random.Next(0, 20)) : due.AddDays(-random.Next(0, 12));
                var total = b.BaseFee + 25m * b.Seats;
                Row("invoices", NewId(), b.Id, $"SIM-{++invoiceNumber:D6}", DateOnly.FromDateTime(date.AddMonths(-1).UtcDateTime), DateOnly.FromDateTime(date.UtcDateTime),
                    "USD", trouble ? "payment_failed" : "paid", total, 0m, 0m, 0m, total, issued, due, issued, paid, issued, paid ?? issued);
            }
        }
    }

    await using var connectionToAdmin = new NpgsqlConnection(admin);
    await connectionToAdmin.OpenAsync();
    await using (var replica = new NpgsqlCommand("SET session_replication_role = replica", connectionToAdmin))
    {
        // Seeding only: skips the search-document triggers, which index names this history does not have.
        await replica.ExecuteNonQueryAsync();
    }

    foreach (var (table, spec) in tables)
    {
        await using (var writer = await connectionToAdmin.BeginTextImportAsync($"COPY {table} ({spec.Columns}) FROM STDIN"))
        {
            foreach (var chunk in spec.Rows.GetChunks())
            {
                await writer.WriteAsync(chunk);
            }
        }
    }

    await using (var analyze = new NpgsqlCommand("ANALYZE", connectionToAdmin))
    {
        await analyze.ExecuteNonQueryAsync();
    }

    return counts;

    static string Text(object? value) => value switch
    {
        null => "\\N",
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "t" : "f",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }

        return k;
    }
}
