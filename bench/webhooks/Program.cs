using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Webhooks;
using StreamFlow.Functions.Hosting;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Webhooks;

// Two figures:
//  1. Sustained deliveries per second through the attempt step alone: load endpoint + event under the tenant,
//     decrypt the secret, sign, POST through the safe client, log the attempt, update the delivery.
//  2. The whole path in one process: events committed one by one at a steady rate, the NOTIFY listener wakes the
//     dispatcher, delivery orchestrations run on the in-memory durable backend; latency from commit to the receiver
//     getting the first attempt, and deliveries per second for a burst.
//  bench/webhooks/standalone.sh runs the "standalone" mode instead: the real standalone host as a process (StandaloneBench.cs).
if (args.FirstOrDefault() == "standalone")
{
    return await StandaloneBench.RunAsync(args[1..]);
}

var arguments = Arguments.Parse(args);
var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables()
    .AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Webhooks:AllowLoopbackForDevelopment"] = "true",
        ["Webhooks:Dispatch:ListenForNotifications"] = "true",
    })
    .Build();

await using var receiver = await Receiver.StartAsync();
await using var durable = await DurableTaskTestHost.StartAsync(
    registry =>
    {
        registry.AddOrchestrator(TaskNames.WebhookDelivery, () => new WebhookDeliveryOrchestrator());
        registry.AddActivity(TaskNames.SendWebhookAttempt, provider => provider.GetRequiredService<SendWebhookAttemptActivity>());
    },
    new DurableTaskTestHostOptions
    {
        LoggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole()),
        ConfigureServices = services => services
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole())
            .AddSingleton<IConfiguration>(configuration)
            .AddStreamFlowFunctions(configuration),
    });

var provider = durable.Services;
var migration = provider.GetRequiredService<DatabaseMigrator>().Migrate();
if (!migration.Successful)
{
    throw new InvalidOperationException(migration.Error);
}

var database = provider.GetRequiredService<StreamFlowDatabase>();
var outbox = provider.GetRequiredService<WebhookOutbox>();
var dispatcher = provider.GetRequiredService<WebhookDispatcher>();
var attempts = provider.GetRequiredService<WebhookAttemptService>();
var endpoints = provider.GetRequiredService<WebhookEndpointService>();

Console.WriteLine($"bench: {Environment.ProcessorCount} cores, receiver {receiver.BaseUrl}");

// ---- 1. The attempt step ----
var tenant = await CreateTenantAsync(database);
var endpoint = await endpoints.CreateAsync(tenant, new CreateWebhookEndpoint($"{receiver.BaseUrl}/hook"), CancellationToken.None);
var messageIds = new List<string>();
foreach (var chunk in Enumerable.Range(0, arguments.Deliveries).Chunk(500))
{
    messageIds.AddRange(await database.InTenantAsync(tenant, async scope =>
    {
        var ids = new List<string>();
        foreach (var i in chunk)
        {
            ids.Add(await outbox.AddAsync(scope, tenant, WebhookEventCatalog.LeadCreated, new { LeadId = Guid.NewGuid(), Sequence = i }, CancellationToken.None));
        }

        return ids;
    }, CancellationToken.None));
}

var collected = new CollectingStarter();
foreach (var chunk in messageIds.Chunk(500))
{
    await dispatcher.DispatchMessagesAsync(tenant, chunk, collected, CancellationToken.None);
}

// Warm the connection pools and JIT before timing.
var warmup = collected.Starts.Take(Math.Min(100, collected.Starts.Count)).ToList();
await Parallel.ForEachAsync(warmup, new ParallelOptions { MaxDegreeOfParallelism = arguments.Concurrency },
    async (start, ct) => await attempts.RunAsync(new WebhookAttemptRequest(start.TenantId, start.DeliveryId, start.Round, 1), ct));
var timed = collected.Starts.Skip(warmup.Count).ToList();
var stopwatch = Stopwatch.StartNew();
await Parallel.ForEachAsync(timed, new ParallelOptions { MaxDegreeOfParallelism = arguments.Concurrency },
    async (start, ct) =>
    {
        var outcome = await attempts.RunAsync(new WebhookAttemptRequest(start.TenantId, start.DeliveryId, start.Round, 1), ct);
        if (outcome.Disposition != WebhookAttemptDisposition.Delivered)
        {
            throw new InvalidOperationException($"delivery {start.DeliveryId}: {outcome.Disposition} {outcome.Error}");
        }
    });
stopwatch.Stop();
var attemptRate = timed.Count / stopwatch.Elapsed.TotalSeconds;
Console.WriteLine(Invariant($"attempt step:  {timed.Count} deliveries in {stopwatch.Elapsed.TotalSeconds:0.00} s = {attemptRate:0} deliveries/s (concurrency {arguments.Concurrency}; sign + safe client + attempt log)"));

// ---- 2. The whole path: commit -> NOTIFY -> dispatcher -> orchestration -> attempt ----
var listener = new WebhookOutboxListener(
    new ClientProvider(durable.Client), configuration, provider.GetRequiredService<NpgsqlDataSource>(), dispatcher, new StartedLifetime(),
    provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebhookOptions>>(), provider.GetRequiredService<ILogger<WebhookOutboxListener>>());
await listener.StartAsync(CancellationToken.None);
await Task.Delay(500);

var pipelineTenant = await CreateTenantAsync(database);
await endpoints.CreateAsync(pipelineTenant, new CreateWebhookEndpoint($"{receiver.BaseUrl}/pipeline"), CancellationToken.None);
var committedAt = new ConcurrentDictionary<string, long>();
var interval = TimeSpan.FromSeconds(1.0 / arguments.Rate);
var paced = Stopwatch.StartNew();
for (var i = 0; i < arguments.Events; i++)
{
    var due = interval * i;
    if (paced.Elapsed < due)
    {
        await Task.Delay(due - paced.Elapsed);
    }

    var id = await database.InTenantAsync(pipelineTenant, scope =>
        outbox.AddAsync(scope, pipelineTenant, WebhookEventCatalog.LeadUpdated, new { LeadId = Guid.NewGuid() }, CancellationToken.None), CancellationToken.None);
    committedAt[id] = Stopwatch.GetTimestamp();
}

await receiver.WaitForAsync("/pipeline", arguments.Events, TimeSpan.FromMinutes(2));
var latencies = committedAt
    .Select(c => receiver.FirstReceivedAt(c.Key) is { } received ? Stopwatch.GetElapsedTime(c.Value, received).TotalMilliseconds : double.NaN)
    .Where(ms => !double.IsNaN(ms))
    .Order()
    .ToList();
Console.WriteLine(Invariant($"commit -> first attempt: p50 {Percentile(latencies, 0.50):0} ms, p95 {Percentile(latencies, 0.95):0} ms, max {latencies[^1]:0} ms ({latencies.Count} events at {arguments.Rate}/s, in-memory durable backend)"));

var burstTenant = await CreateTenantAsync(database);
await endpoints.CreateAsync(burstTenant, new CreateWebhookEndpoint($"{receiver.BaseUrl}/burst"), CancellationToken.None);
var burst = Stopwatch.StartNew();
foreach (var chunk in Enumerable.Range(0, arguments.Burst).Chunk(100))
{
    await database.InTenantAsync(burstTenant, async scope =>
    {
        foreach (var _ in chunk)
        {
            await outbox.AddAsync(scope, burstTenant, WebhookEventCatalog.LeadScored, new { LeadId = Guid.NewGuid() }, CancellationToken.None);
        }

        return 0;
    }, CancellationToken.None);
}

await receiver.WaitForAsync("/burst", arguments.Burst, TimeSpan.FromMinutes(5));
burst.Stop();
Console.WriteLine(Invariant($"whole path:    {arguments.Burst} events committed in bursts, all delivered in {burst.Elapsed.TotalSeconds:0.00} s = {arguments.Burst / burst.Elapsed.TotalSeconds:0} deliveries/s (outbox + dispatcher + orchestrations + attempts)"));
await listener.StopAsync(CancellationToken.None);
return 0;

static async Task<Guid> CreateTenantAsync(StreamFlowDatabase database)
{
    var tenant = Guid.CreateVersion7();
    await database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
        "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenant, @slug, 'Bench tenant', 'hvac')", new { tenant, slug = $"bench-{tenant:N}" })),
        CancellationToken.None);
    return tenant;
}

static double Percentile(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

internal sealed record Arguments(int Deliveries, int Concurrency, int Events, int Rate, int Burst)
{
    public static Arguments Parse(string[] args)
    {
        int Value(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new Arguments(Value("--deliveries", 3000), Value("--concurrency", 32), Value("--events", 30), Value("--rate", 2), Value("--burst", 100));
    }
}

internal sealed class CollectingStarter : IWebhookDeliveryStarter
{
    public List<WebhookDeliveryStart> Starts { get; } = [];

    public Task StartAsync(IReadOnlyList<WebhookDeliveryStart> deliveries, CancellationToken cancellationToken)
    {
        Starts.AddRange(deliveries);
        return Task.CompletedTask;
    }
}

internal sealed class ClientProvider(DurableTaskClient client) : IServiceProvider
{
    public object? GetService(Type serviceType) => serviceType == typeof(DurableTaskClient) ? client : null;
}

internal sealed class StartedLifetime : IHostApplicationLifetime
{
    public CancellationToken ApplicationStarted { get; } = new(canceled: true);

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication()
    {
    }
}

/// <summary>Answers 200 at once and notes when each webhook-id first arrived.</summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _firstReceived = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    private Receiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/{path}", async (HttpContext context, string path) =>
        {
            var now = Stopwatch.GetTimestamp();
            await context.Request.Body.CopyToAsync(Stream.Null);
            receiver._firstReceived.TryAdd(context.Request.Headers["webhook-id"].ToString(), now);
            receiver._counts.AddOrUpdate("/" + path, 1, (_, n) => n + 1);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    public long? FirstReceivedAt(string messageId) => _firstReceived.TryGetValue(messageId, out var at) ? at : null;

    public async Task WaitForAsync(string path, int count, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (_counts.GetValueOrDefault(path) < count)
        {
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{path}: {_counts.GetValueOrDefault(path)} of {count} delivered within {limit}.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
