using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Privacy.Rotation;

// Figures of issue #15, printed, never asserted:
//  1. the write path of a lead (duplicate check + insert in the tenant's transaction) with its email, phone, notes and
//     address (postal code, state, city, country) sealed (AES-256-GCM, blind indexes of email, phone, state and postal
//     area and a keyed term per word of the notes, LeadStore) against the same two statements with the values stored as
//     plain bytes and text (the baseline), interleaved in rounds in the same run;
//  2. a lookup by email through the blind index (LeadStore.PageAsync with ?email=) on a business with N leads: p50/p95;
//  3. a rotation of the business's data key over those leads (an email and four address parts each): rows/s, and the
//     lookups' p50/p99 while it runs.
var connectionString = Environment.GetEnvironmentVariable("Postgres__AppConnectionString") ?? throw new InvalidOperationException("Postgres__AppConnectionString");
var ownerConnectionString = Environment.GetEnvironmentVariable("Postgres__OwnerConnectionString") ?? throw new InvalidOperationException("Postgres__OwnerConnectionString");
var leadCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var writes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
var lookups = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000;

// No command timeout: on a loaded machine a 5,000-row fill batch (with its search triggers) can take longer than 30 s.
await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
var database = new StreamFlowDatabase(dataSource);
var kek = LocalKeyRing.InMemory(("bench", RandomNumberGenerator.GetBytes(32)));
var keyring = new TenantKeyring(database, kek, Options.Create(new PrivacyOptions()), TimeProvider.System);

var tenant = Guid.CreateVersion7();
await using (var owner = new NpgsqlConnection(ownerConnectionString))
{
    await owner.ExecuteAsync("INSERT INTO tenants (id, slug, name, industry) VALUES (@Id, @Slug, 'Privacy bench', 'hvac')",
        new { Id = tenant, Slug = $"privacy-bench-{tenant:N}"[..30] });
}

var keys = await keyring.ForTenantAsync(tenant, default);
Console.WriteLine($"Privacy bench: tenant {tenant}, {Environment.ProcessorCount} cores");

// 1. Write path, sealed vs plain, alternating rounds of 100 so that drift hits both alike.
const string PlainDuplicateSql = """
    SELECT id FROM leads WHERE deleted_at IS NULL AND ((@Email::bytea IS NOT NULL AND email_index = @Email) OR (@Phone::bytea IS NOT NULL AND phone_index = @Phone)) LIMIT 1
    """;
const string PlainInsertSql = """
    INSERT INTO leads (id, tenant_id, first_name, email_sealed, phone_sealed, email_index, phone_index, plain_notes,
                       plain_postal_code, plain_state, plain_city, plain_country, personal_key_version, stage, created_at, updated_at)
    VALUES (@Id, @TenantId, 'Bench', @Email, @Phone, @EmailKey, @PhoneKey, @Notes, @PostalCode, @State, @City, @Country, 1, 'new', now(), now())
    """;
// A typical office note: about 25 words, as a dispatcher types them.
const string Notes = "Customer reports the furnace short-cycles after about ten minutes; unit is a 2009 Carrier in the basement. Gate code 4411, dog in the yard, call before arriving.";
const string PostalCode = "78701", State = "TX", City = "Austin", Country = "US";
var sealedTimes = new List<double>();
var plainTimes = new List<double>();
var written = 0;
for (var round = 0; written < writes; round++)
{
    foreach (var seal in round % 2 == 0 ? new[] { true, false } : [false, true])
    {
        for (var i = 0; i < 50; i++)
        {
            var n = Interlocked.Increment(ref written);
            var email = $"writer{n}-{(seal ? "s" : "p")}@example.com";
            var phone = "+1512" + (seal ? "5" : "6") + n.ToString("D6", CultureInfo.InvariantCulture);
            var started = Stopwatch.GetTimestamp();
            await database.InTenantAsync(tenant, async scope =>
            {
                var leadKeys = await keyring.ForTenantAsync(tenant, default);
                if (seal)
                {
                    if (await LeadStore.FindDuplicateAsync(scope, leadKeys, email, phone) is null)
                    {
                        await LeadStore.InsertAsync(scope, leadKeys, new StoredLead
                        {
                            Id = Guid.CreateVersion7(), FirstName = "Bench", Email = email, Phone = phone, Notes = Notes,
                            PostalCode = PostalCode, State = State, City = City, Country = Country, Stage = "new",
                        }, DateTimeOffset.UtcNow);
                    }
                }
                else
                {
                    var emailBytes = Encoding.UTF8.GetBytes(email);
                    var phoneBytes = Encoding.UTF8.GetBytes(phone);
                    if (await scope.QuerySingleOrDefaultAsync<Guid?>(PlainDuplicateSql, new { Email = Pad(emailBytes), Phone = Pad(phoneBytes) }) is null)
                    {
                        await scope.ExecuteAsync(PlainInsertSql, new
                        {
                            Id = Guid.CreateVersion7(), TenantId = tenant, Email = emailBytes, Phone = phoneBytes, EmailKey = Pad(emailBytes), PhoneKey = Pad(phoneBytes), Notes,
                            PostalCode, State, City, Country,
                        });
                    }
                }

                return true;
            }, default);
            (seal ? sealedTimes : plainTimes).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}

var sealedMean = sealedTimes.Skip(100).Average();
var plainMean = plainTimes.Skip(100).Average();
Console.WriteLine($"Lead write path (duplicate check + insert, one transaction), {sealedTimes.Count} sealed and {plainTimes.Count} plain, first 100 of each skipped:");
Console.WriteLine($"  plain (baseline)  mean {plainMean:F3} ms  p50 {Percentile(plainTimes, 50):F3} ms  p95 {Percentile(plainTimes, 95):F3} ms");
Console.WriteLine($"  sealed            mean {sealedMean:F3} ms  p50 {Percentile(sealedTimes, 50):F3} ms  p95 {Percentile(sealedTimes, 95):F3} ms");
Console.WriteLine($"  overhead          {(sealedMean / plainMean - 1) * 100:F1} % of the mean (target <= 10 %)");

// The crypto alone, per lead: seal seven values, compute four blind indexes and the notes' word terms.
var cryptoStarted = Stopwatch.GetTimestamp();
for (var i = 0; i < 100_000; i++)
{
    var id = Guid.CreateVersion7();
    _ = LeadStore.Seal(keys, id, "someone@example.com", "+15125550142", Notes, new LeadAddress(PostalCode, State, City, Country));
}

Console.WriteLine($"  crypto alone      {Stopwatch.GetElapsedTime(cryptoStarted).TotalMilliseconds * 1000 / 100_000:F2} us per lead (7 seals, 4 HMACs and one per distinct word of the notes)");

// 2. N leads in the business, written sealed, then lookups by email through the blind index.
var existing = await database.InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<long>("SELECT count(*) FROM leads"), default);
var fillStarted = Stopwatch.GetTimestamp();
// COPY is refused on tables with row-level security: batches of 5,000 rows through unnest, sealed in the bench.
const string FillSql = """
    INSERT INTO leads (id, tenant_id, first_name, email_sealed, email_index, postal_code_sealed, state_sealed, city_sealed, country_sealed,
                       state_index, postal_area_index, personal_key_version, stage, created_at, updated_at)
    SELECT i, @Tenant, 'Filler', s, x, pc, st, ci, co, sx, px, @Version, 'new', now(), now()
    FROM unnest(@Ids, @Sealed, @Indexes, @PostalCodes, @States, @Cities, @Countries, @StateIndexes, @PostalAreaIndexes) AS t (i, s, x, pc, st, ci, co, sx, px)
    """;
for (var from = (int)existing; from < leadCount; from += 5_000)
{
    var batch = Enumerable.Range(from, Math.Min(5_000, leadCount - from)).Select(i => (Id: Guid.CreateVersion7(), Email: Email(i))).ToList();
    var fields = batch.Select(b => LeadStore.Seal(keys, b.Id, b.Email, null, null, new LeadAddress(PostalCode, State, City, Country))).ToList();
    await database.InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(FillSql, new
    {
        Tenant = tenant, Version = keys.CurrentVersion, Ids = batch.Select(b => b.Id).ToArray(),
        Sealed = fields.Select(f => f.EmailSealed!).ToArray(), Indexes = fields.Select(f => f.EmailIndex!).ToArray(),
        PostalCodes = fields.Select(f => f.PostalCodeSealed!).ToArray(), States = fields.Select(f => f.StateSealed!).ToArray(),
        Cities = fields.Select(f => f.CitySealed!).ToArray(), Countries = fields.Select(f => f.CountrySealed!).ToArray(),
        StateIndexes = fields.Select(f => f.StateIndex!).ToArray(), PostalAreaIndexes = fields.Select(f => f.PostalAreaIndex!).ToArray(),
    }, scope.Transaction), default);
}

await using (var owner = new NpgsqlConnection(ownerConnectionString))
{
    await owner.ExecuteAsync("ANALYZE leads");
}

var total = await database.InTenantAsync(tenant, scope => scope.QuerySingleOrDefaultAsync<long>("SELECT count(*) FROM leads"), default);
Console.WriteLine($"Filled to {total:N0} leads in {Stopwatch.GetElapsedTime(fillStarted).TotalSeconds:F1} s (email and address sealed, batched inserts)");

var random = new Random(15);
var lookupTimes = new List<double>();
var misses = 0;
for (var i = 0; i < lookups; i++)
{
    var target = random.Next((int)existing, leadCount);
    var started = Stopwatch.GetTimestamp();
    var page = await database.InTenantAsync(tenant, scope => LeadStore.PageAsync(
        scope, keys, new LeadFilter(null, null, null, null, null, null, null, null, false) { Email = Email(target).ToUpperInvariant() }, null, 2), default);
    lookupTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    var opened = page.Count == 1 ? page[0].Opened(keys).Email : null;
    misses += opened == Email(target) ? 0 : 1;
}

Console.WriteLine($"Lookup by email through the blind index on {total:N0} leads, {lookups} lookups (transaction + query + open):");
Console.WriteLine($"  p50 {Percentile(lookupTimes, 50):F3} ms  p95 {Percentile(lookupTimes, 95):F3} ms  p99 {Percentile(lookupTimes, 99):F3} ms  (target p50 < 5 ms); wrong or missing answers: {misses}");

// 3. Rotation of the business's data key over its leads: rows/s through the same batches the orchestration runs
//    (KeyRotationService), with lookups by email running beside it — their p50/p99 against the lookups above (baseline).
// The plain baseline rows of part 1 hold raw bytes where a sealed value belongs: a rotation rightly refuses them.
await database.InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
    "DELETE FROM leads WHERE get_byte(email_sealed, 0) <> 1", transaction: scope.Transaction), default);
var audit = new AuditLog(database, TimeProvider.System, NullLogger<AuditLog>.Instance);
// The rotation is requested through the platform operations as the route does; the bench then runs its batches itself.
var rotations = new KeyRotationService(database, keyring, kek, audit, TimeProvider.System,
    new PlatformOperations(database, Options.Create(new WorkOutboxOptions())));
var rotation = (await rotations.RequestDataKeyRotationAsync(tenant, "developer:bench", default)).Value;
using var stopLookups = new CancellationTokenSource();
var duringTimes = new List<double>();
var duringMisses = 0;
var lookupsDuring = Task.Run(async () =>
{
    var duringRandom = new Random(16);
    while (!stopLookups.IsCancellationRequested)
    {
        var target = duringRandom.Next((int)existing, leadCount);
        var started = Stopwatch.GetTimestamp();
        var now = await keyring.ForTenantAsync(tenant, default);
        var page = await database.InTenantAsync(tenant, scope => LeadStore.PageAsync(
            scope, now, new LeadFilter(null, null, null, null, null, null, null, null, false) { Email = Email(target) }, null, 2), default);
        var opened = page.Count == 1 ? page[0].Opened(now).Email : null;
        duringTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        duringMisses += opened == Email(target) ? 0 : 1;
    }
});
var rotationStarted = Stopwatch.GetTimestamp();
var toVersion = await rotations.BeginDataKeyRotationAsync(rotation, default);
long resealed = 0;
int resealedNow;
while ((resealedNow = await rotations.ResealBatchAsync(rotation, tenant, toVersion, default)) > 0)
{
    resealed += resealedNow;
}

var rotationSeconds = Stopwatch.GetElapsedTime(rotationStarted).TotalSeconds;
await stopLookups.CancelAsync();
await lookupsDuring;
await rotations.FinishAsync(rotation, null, default);
Console.WriteLine($"Data key rotation v{toVersion - 1} -> v{toVersion} over {resealed:N0} sealed rows, batches of {KeyRotationService.BatchSize} (one transaction each):");
Console.WriteLine($"  {rotationSeconds:F1} s, {resealed / rotationSeconds:F0} rows/s");
Console.WriteLine($"  lookups by email during it: {duringTimes.Count}, p50 {Percentile(duringTimes, 50):F3} ms  p99 {Percentile(duringTimes, 99):F3} ms "
    + $"(baseline above: p50 {Percentile(lookupTimes, 50):F3} ms  p99 {Percentile(lookupTimes, 99):F3} ms); wrong or missing answers: {duringMisses}");

static string Email(int i) => $"lead{i}@customer{i % 997}.example.com";

// The plain baseline looks duplicates up by an unkeyed SHA-256 of the value (the column asks for 32 bytes): no key, no AES.
static byte[] Pad(byte[] value) => SHA256.HashData(value);

static double Percentile(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
