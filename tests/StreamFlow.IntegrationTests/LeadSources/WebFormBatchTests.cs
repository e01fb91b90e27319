using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.LeadSources.WebForms;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests.LeadSources;

/// <summary>
/// The intake's group commit (<see cref="WebFormLeadBatcher"/>) on the real database. To hold a writer mid-batch
/// without any timing, a test locks its tenant's row (FOR UPDATE): a lead's insert waits there on its foreign key
/// until the test lets go, and the test sees the writer waiting in pg_stat_activity.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class WebFormBatchTests(TestServices services) : IDisposable
{
    private static readonly LeadFilter NoFilter = new(null, null, null, null, null, null, null, null, false);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly List<ServiceProvider> _providers = [];

    [Fact]
    public async Task Concurrent_submissions_of_two_tenants_each_become_a_lead_of_their_own_tenant_and_repeat_visitors_merge()
    {
        var provider = Provider(("BatchSize", "16"), ("BatchWriters", "4"));
        var first = await FormAsync(provider);
        var second = await FormAsync(provider);
        const int visitors = 40;
        var sent = new List<(Guid Tenant, WebFormView Form, string Email, Task<Result<WebFormOutcome>> Outcome)>();
        for (var i = 0; i < visitors + 10; i++)
        {
            foreach (var (tenant, form) in new[] { first, second })
            {
                // The last ten are the first ten visitors again (another visit, another answer): they merge.
                var visitor = i % visitors;
                var email = $"visitor{visitor}@{tenant:N}.example.com";
                sent.Add((tenant, form, email, SubmitAsync(provider, form, $"10.{sent.Count / 250 % 250}.{sent.Count % 250}.9",
                    new() { ["your_email"] = email, ["your_name"] = $"Visitor {visitor}", ["visit"] = i < visitors ? "first" : "again" })));
            }
        }

        await Task.WhenAll(sent.Select(s => s.Outcome));

        foreach (var (tenant, _, email, outcome) in sent)
        {
            var result = await outcome;
            Assert.True(result.Succeeded, result.Problem?.ToString());
            Assert.Equal(tenant, result.Value.TenantId);
            var lead = await Leads(provider).GetAsync(tenant, result.Value.Lead!.Id, false, default);
            Assert.Equal(email, lead.Value!.Email);
            Assert.False((await Leads(provider).GetAsync(tenant == first.Tenant ? second.Tenant : first.Tenant, lead.Value.Id, false, default)).Succeeded);
        }

        foreach (var visit in sent.GroupBy(s => s.Email))
        {
            var outcomes = await Task.WhenAll(visit.Select(v => v.Outcome));
            Assert.Single(outcomes.Select(o => o.Value!.Lead!.Id).Distinct());
            Assert.Equal(1, outcomes.Count(o => o.Value!.Created));
        }

        foreach (var tenant in new[] { first.Tenant, second.Tenant })
        {
            var stored = (await Leads(provider).ListAsync(tenant, NoFilter, 200, null, default)).Items;
            Assert.Equal(visitors, stored.Count);
            Assert.All(stored, lead => Assert.Equal("Web form", lead.Source));
        }
    }

    [Fact]
    public async Task A_bad_submission_gets_its_own_field_error_and_the_rest_of_its_batch_is_stored()
    {
        var provider = Provider(("BatchSize", "50"), ("BatchWriters", "1"), ("BatchWindow", "00:00:00.005"));
        var (tenant, form) = await FormAsync(provider);
        Task<Result<WebFormOutcome>> blocker;
        var batch = new List<Task<Result<WebFormOutcome>>>();
        await using (var hold = await TenantHold.TakeAsync(services, tenant))
        {
            blocker = SubmitAsync(provider, form, "10.1.0.1", new() { ["your_email"] = "first@example.com" });
            await hold.UntilWaitedOnAsync();
            // The only writer is held, so these wait in the queue and are written as one batch once it lets go.
            for (var i = 0; i < 6; i++)
            {
                batch.Add(SubmitAsync(provider, form, $"10.1.1.{i}", new() { ["your_email"] = i == 3 ? "not an email" : $"good{i}@example.com" }));
            }

            await UntilQueuedAsync(provider, 6);
        }

        Assert.True((await blocker).Succeeded);
        var outcomes = await Task.WhenAll(batch);
        var bad = outcomes[3];
        Assert.Equal(ProblemKind.Validation, bad.Problem?.Kind);
        Assert.True(bad.Problem!.Errors!.ContainsKey("your_email"), bad.Problem.ToString());
        Assert.All(outcomes.Where((_, i) => i != 3), outcome => Assert.True(outcome.Succeeded && outcome.Value.Created, outcome.Problem?.ToString()));
        var emails = (await Leads(provider).ListAsync(tenant, NoFilter, 50, null, default)).Items.Select(l => l.Email).Order().ToList();
        Assert.Equal(["first@example.com", "good0@example.com", "good1@example.com", "good2@example.com", "good4@example.com", "good5@example.com"], emails);
    }

    [Fact]
    public async Task A_batch_that_loses_the_race_for_an_email_is_written_one_by_one_and_its_visitor_merges()
    {
        var provider = Provider(("BatchSize", "50"), ("BatchWriters", "2"), ("BatchWindow", "00:00:00.005"));
        var (tenant, form) = await FormAsync(provider);
        Task<Result<WebFormOutcome>> winner;
        var loser = new List<Task<Result<WebFormOutcome>>>();
        await using (var hold = await TenantHold.TakeAsync(services, tenant))
        {
            winner = SubmitAsync(provider, form, "10.2.0.1", new() { ["your_email"] = "same@example.com", ["your_name"] = "Ann" });
            var writer = await hold.UntilWaitedOnAsync();
            // The second writer checks for the email before the first has committed it, then waits on its index entry.
            loser.Add(SubmitAsync(provider, form, "10.2.0.2", new() { ["your_email"] = "same@example.com", ["visit"] = "again" }));
            loser.Add(SubmitAsync(provider, form, "10.2.0.3", new() { ["your_email"] = "other@example.com" }));
            await hold.UntilWaitedOnAsync(writer);
        }

        var first = await winner;
        var (again, other) = (await loser[0], await loser[1]);
        Assert.True(first.Succeeded && first.Value.Created, first.Problem?.ToString());
        Assert.True(again.Succeeded, again.Problem?.ToString());
        Assert.False(again.Value.Created);
        Assert.Equal(first.Value.Lead!.Id, again.Value.Lead!.Id);
        Assert.True(other.Succeeded && other.Value.Created, other.Problem?.ToString());
        var merged = (await Leads(provider).GetAsync(tenant, first.Value.Lead.Id, false, default)).Value!;
        Assert.Equal("again", merged.Attributes.GetProperty("visit").GetString());
        Assert.Equal(2, (await Leads(provider).ListAsync(tenant, NoFilter, 50, null, default)).Items.Count);
    }

    [Fact]
    public async Task A_full_queue_is_a_503_with_retry_after_and_what_was_queued_is_stored()
    {
        var provider = Provider(("BatchSize", "1"), ("BatchWriters", "1"), ("QueueCapacity", "1"));
        var (tenant, form) = await FormAsync(provider);
        Task<Result<WebFormOutcome>> written, queued;
        Result<WebFormOutcome> refused;
        await using (var hold = await TenantHold.TakeAsync(services, tenant))
        {
            written = SubmitAsync(provider, form, "10.3.0.1", new() { ["your_email"] = "one@example.com" });
            await hold.UntilWaitedOnAsync();
            queued = SubmitAsync(provider, form, "10.3.0.2", new() { ["your_email"] = "two@example.com" });
            await UntilQueuedAsync(provider, 1);
            refused = await SubmitAsync(provider, form, "10.3.0.3", new() { ["your_email"] = "three@example.com" });
        }

        Assert.Equal(ProblemKind.Unavailable, refused.Problem?.Kind);
        Assert.True(refused.Problem!.RetryAfter > TimeSpan.Zero);
        Assert.True((await written).Succeeded);
        Assert.True((await queued).Succeeded);
        Assert.Equal(["one@example.com", "two@example.com"],
            (await Leads(provider).ListAsync(tenant, NoFilter, 50, null, default)).Items.Select(l => l.Email).Order().ToList());
    }

    [Fact]
    public async Task Stopping_refuses_new_submissions_and_writes_the_queued_ones()
    {
        var provider = Provider(("BatchSize", "1"), ("BatchWriters", "1"), ("QueueCapacity", "10"));
        var (tenant, form) = await FormAsync(provider);
        var accepted = new List<Task<Result<WebFormOutcome>>>();
        Task stopped;
        Result<WebFormOutcome> late;
        await using (var hold = await TenantHold.TakeAsync(services, tenant))
        {
            accepted.Add(SubmitAsync(provider, form, "10.4.0.0", new() { ["your_email"] = "held@example.com" }));
            await hold.UntilWaitedOnAsync();
            for (var i = 1; i <= 3; i++)
            {
                accepted.Add(SubmitAsync(provider, form, $"10.4.0.{i}", new() { ["your_email"] = $"queued{i}@example.com" }));
            }

            await UntilQueuedAsync(provider, 3);

            stopped = provider.GetRequiredService<WebFormLeadBatcher>().StopAsync(new CancellationTokenSource(Patience).Token);
            late = await SubmitAsync(provider, form, "10.4.0.9", new() { ["your_email"] = "late@example.com" });
            Assert.False(stopped.IsCompleted);
        }

        await stopped;
        // Stopped means written: the leads are there before the callers' own continuations have necessarily run.
        Assert.Equal(4, (await Leads(provider).ListAsync(tenant, NoFilter, 50, null, default)).Items.Count);
        Assert.Equal(ProblemKind.Unavailable, late.Problem?.Kind);
        Assert.All(await Task.WhenAll(accepted), outcome => Assert.True(outcome.Succeeded, outcome.Problem?.ToString()));
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }

    private ServiceProvider Provider(params (string Name, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(services.Configuration)
            .AddInMemoryCollection(settings.ToDictionary(s => $"{WebFormOptions.Section}:{s.Name}", s => (string?)s.Value))
            .Build();
        var provider = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddStreamFlowFunctions(configuration).BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>Waits until the intake has handed <paramref name="count"/> submissions to the queue (the route's checks are async).</summary>
    private static async Task UntilQueuedAsync(ServiceProvider provider, int count)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (provider.GetRequiredService<WebFormLeadBatcher>().Queued < count)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), patience.Token);
        }
    }

    private static LeadService Leads(ServiceProvider provider) => provider.GetRequiredService<LeadService>();

    private static async Task<(Guid Tenant, WebFormView Form)> FormAsync(ServiceProvider provider)
    {
        var slug = $"batch-{Guid.NewGuid():N}"[..20];
        var tenant = (await provider.GetRequiredService<TenantService>().CreateAsync(
            new CreateTenantRequest("Batched forms", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
        var form = await provider.GetRequiredService<WebFormService>().CreateAsync(tenant,
            new CreateWebForm("Quote request", null, new() { ["your_email"] = "email", ["your_name"] = "firstName", ["visit"] = "attributes.visit" },
                ["https://www.example.com"], null, null, null, null), default);
        var submitted = await SubmitAsync(provider, form.Value!, "10.255.255.1", new() { ["your_name"] = "Warm-up reads the form" });
        Assert.True(submitted.Succeeded, submitted.Problem?.ToString());
        await Leads(provider).DeleteAsync(new LeadActor(tenant, "test", true), submitted.Value.Lead!.Id, default);
        return (tenant, form.Value!);
    }

    private static Task<Result<WebFormOutcome>> SubmitAsync(ServiceProvider provider, WebFormView form, string address, Dictionary<string, string> fields) =>
        provider.GetRequiredService<WebFormIntake>().SubmitAsync(new WebFormSubmission(form.FormKey, fields, "https://www.example.com", address), default);

    /// <summary>The tenant's row locked in an open transaction: inserts of the tenant's leads wait until it is disposed.</summary>
    private sealed class TenantHold(string connectionString, NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public static async Task<TenantHold> TakeAsync(TestServices services, Guid tenant)
        {
            var connectionString = services.Configuration["Postgres:OwnerConnectionString"]!;
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync("SELECT 1 FROM tenants WHERE id = @tenant FOR UPDATE", new { tenant }, transaction);
            return new TenantHold(connectionString, connection, transaction);
        }

        /// <summary>Waits until a session waits on <paramref name="blocker"/> (default: this hold) and returns that session's pid.</summary>
        public async Task<int> UntilWaitedOnAsync(int? blocker = null)
        {
            var by = blocker ?? connection.ProcessID;
            using var patience = new CancellationTokenSource(Patience);
            await using var watcher = new NpgsqlConnection(connectionString);
            await watcher.OpenAsync(patience.Token);
            while (true)
            {
                var waiting = await watcher.QueryFirstOrDefaultAsync<int?>(
                    "SELECT pid FROM pg_stat_activity WHERE @by = ANY(pg_blocking_pids(pid)) LIMIT 1", new { by });
                if (waiting is { } pid)
                {
                    return pid;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), patience.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        }
    }
}
