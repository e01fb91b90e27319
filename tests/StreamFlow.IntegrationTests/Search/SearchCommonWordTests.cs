using Dapper;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Search;

namespace StreamFlow.IntegrationTests.Search;

/// <summary>
/// A word in thousands of open records is read in a window of the newest open documents (docs/search.md); the answer
/// must be the one the full read gives: exact first however old, then prefix matches open first and newest first, a
/// contains match after them, closed records after open ones, another business never.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class SearchCommonWordTests(TestServices services)
{
    private const int BoilerTasks = 6_000;
    private const int OtherTasks = 4_000;
    private static readonly SemaphoreSlim SeedOnce = new(1, 1);
    private static Seeded? _seeded;

    [Fact]
    public async Task A_common_word_is_ranked_exact_first_then_open_and_newest_prefix_matches()
    {
        var seeded = await SeedAsync();

        var hits = await SearchAsync(seeded.Tenant, "boiler", 50);

        Assert.Equal(("lead", seeded.ExactLead, "exact"), (hits[0].Type, hits[0].Id, hits[0].Match));
        Assert.Equal(seeded.NewestOpenBoilerTasks.Take(49), hits.Skip(1).Select(hit => hit.Id));
        Assert.All(hits.Skip(1), hit => Assert.Equal(("task", true, "prefix"), (hit.Type, hit.Open, hit.Match)));
        Assert.DoesNotContain(hits, hit => hit.Id == seeded.NeighbourTask || hit.Id == seeded.NewestClosedBoilerTask || hit.Id == seeded.ContainsTask);
    }

    [Fact]
    public async Task A_common_prefix_and_a_typo_of_a_common_word_find_the_newest_open_records()
    {
        var seeded = await SeedAsync();

        var prefix = await SearchAsync(seeded.Tenant, "boil", 30);
        var typo = await SearchAsync(seeded.Tenant, "boilr", 30);

        Assert.Equal(seeded.NewestOpenBoilerTasks.Take(30), prefix.Select(hit => hit.Id));
        Assert.All(prefix, hit => Assert.Equal("prefix", hit.Match));
        // "x-boiler" is as like "boilr" as "boiler" is, and newer than every task holding "boiler".
        Assert.Equal(seeded.NewestOpenBoilerTasks.Take(29).Prepend(seeded.ContainsTask), typo.Select(hit => hit.Id));
        Assert.All(typo, hit => Assert.Equal(("fuzzy", true), (hit.Match, hit.Open)));
    }

    [Fact]
    public async Task Only_the_kinds_asked_for_are_read_and_a_rare_word_beside_a_common_one_is_found()
    {
        var seeded = await SeedAsync();

        var leads = await SearchAsync(seeded.Tenant, "boiler", 50, ["lead"]);
        var rare = await SearchAsync(seeded.Tenant, "boiler zanzibar", 10);
        var contains = await SearchAsync(seeded.Tenant, "boiler", 50, ["task"]);

        Assert.Equal([seeded.ExactLead], leads.Select(hit => hit.Id));
        Assert.Equal([seeded.RareTask], rare.Select(hit => hit.Id));
        Assert.DoesNotContain(contains, hit => hit.Id == seeded.ContainsTask);
        Assert.Equal(seeded.NewestOpenBoilerTasks.Take(50), contains.Select(hit => hit.Id));
    }

    [Fact]
    public async Task The_dictionary_counts_a_words_open_documents_in_its_own_business_only()
    {
        var seeded = await SeedAsync();

        await using var owner = new NpgsqlConnection(services.Configuration["Postgres:OwnerConnectionString"]);
        var counts = (await owner.QueryAsync<(Guid Tenant, int Open)>(
            "SELECT tenant_id, open_documents FROM search_words WHERE word = 'boiler' AND tenant_id = ANY (@Tenants)",
            new { Tenants = new[] { seeded.Tenant, seeded.Neighbour } })).ToDictionary(row => row.Tenant, row => row.Open);

        // 6,000 open tasks, the rare one, the exact lead and the contains match (its word "x-boiler" holds "boiler").
        Assert.Equal(BoilerTasks + 3, counts[seeded.Tenant]);
        Assert.Equal(1, counts[seeded.Neighbour]);
    }

    private async Task<List<SearchHit>> SearchAsync(Guid tenant, string query, int limit, string[]? types = null)
    {
        var owner = new ClientPrincipal(tenant, Guid.NewGuid(), Guid.NewGuid(), "owner@example.com", ClientRole.Owner, 1000, 1000);
        var result = await services.Get<SearchService>().SearchAsync(owner, query, types, limit, CancellationToken.None);
        Assert.True(result.Succeeded, result.Problem?.ToString());
        return [.. result.Value.Items];
    }

    private async Task<Seeded> SeedAsync()
    {
        await SeedOnce.WaitAsync();
        try
        {
            return _seeded ??= await SeedBusinessesAsync();
        }
        finally
        {
            SeedOnce.Release();
        }
    }

    // One business with 6,000 open tasks holding "boiler" among 4,000 without it (every record a minute apart, so the
    // order is never a tie), an exact title years old, newer closed and contains matches that must rank after the
    // open prefix matches, and a neighbour whose newest task holds the word too.
    private async Task<Seeded> SeedBusinessesAsync()
    {
        var database = services.Get<StreamFlowDatabase>();
        var tenant = await CreateTenantAsync(database);
        var neighbour = await CreateTenantAsync(database);
        var boilerTasks = await database.InTenantAsync(tenant, async scope =>
        {
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO tasks (id, tenant_id, title, status, created_by, created_at, updated_at)
                SELECT gen_random_uuid(), @tenant,
                       CASE WHEN i % 5 < 3 THEN 'check the boiler pressure ' || i ELSE 'send the renewal ' || i END,
                       'open', 'test', now() - make_interval(mins => 100 + i), now() - make_interval(mins => 100 + i)
                FROM generate_series(1, @total) AS i
                """, new { tenant, total = BoilerTasks + OtherTasks }));
            return (await scope.Connection.QueryAsync<Guid>(scope.Command(
                "SELECT id FROM tasks WHERE title LIKE 'check the boiler pressure %' ORDER BY updated_at DESC"))).ToList();
        }, CancellationToken.None);
        var exactLead = await InsertLeadAsync(database, tenant, "Boiler", TimeSpan.FromDays(900));
        var closedTask = await InsertTaskAsync(database, tenant, "boiler swapped out", "done", TimeSpan.FromMinutes(1));
        var containsTask = await InsertTaskAsync(database, tenant, "quote the x-boiler", "open", TimeSpan.FromMinutes(2));
        var rareTask = await InsertTaskAsync(database, tenant, "boiler room in zanzibar", "open", TimeSpan.FromDays(800));
        var neighbourTask = await InsertTaskAsync(database, neighbour, "boiler check next door", "open", TimeSpan.Zero);
        await RefreshDictionaryAsync(tenant, neighbour);

        var newestOpen = boilerTasks.Take(BoilerTasks).ToList();
        Assert.Equal(BoilerTasks, newestOpen.Count);
        return new Seeded(tenant, neighbour, exactLead, newestOpen, closedTask, containsTask, rareTask, neighbourTask);
    }

    private async Task RefreshDictionaryAsync(params Guid[] tenants)
    {
        // The timer may be refreshing at the same moment (one refresh at a time): refresh until both queues are empty.
        await using var owner = new NpgsqlConnection(services.Configuration["Postgres:OwnerConnectionString"]);
        for (var round = 0; round < 120; round++)
        {
            await services.Get<SearchService>().RefreshWordsAsync(CancellationToken.None);
            var queued = await owner.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM search_words_pending WHERE tenant_id = ANY (@tenants)", new { tenants });
            if (queued == 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.Fail("the dictionary never took the seeded records' words");
    }

    private static async Task<Guid> CreateTenantAsync(StreamFlowDatabase database)
    {
        var tenant = Guid.CreateVersion7();
        await database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenant, @slug, 'Search test', 'hvac')",
            new { tenant, slug = $"s-{tenant:N}" })), CancellationToken.None);
        return tenant;
    }

    private static Task<Guid> InsertLeadAsync(StreamFlowDatabase database, Guid tenant, string company, TimeSpan age) =>
        database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<Guid>(scope.Command("""
            INSERT INTO leads (id, tenant_id, company, stage, created_at, updated_at)
            VALUES (gen_random_uuid(), @tenant, @company, 'new', now() - @age, now() - @age)
            RETURNING id
            """, new { tenant, company, age })), CancellationToken.None);

    private static Task<Guid> InsertTaskAsync(StreamFlowDatabase database, Guid tenant, string title, string status, TimeSpan age) =>
        database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<Guid>(scope.Command("""
            INSERT INTO tasks (id, tenant_id, title, status, created_by, created_at, updated_at)
            VALUES (gen_random_uuid(), @tenant, @title, @status, 'test', now() - @age, now() - @age)
            RETURNING id
            """, new { tenant, title, status, age })), CancellationToken.None);

    private sealed record Seeded(
        Guid Tenant, Guid Neighbour, Guid ExactLead, IReadOnlyList<Guid> NewestOpenBoilerTasks,
        Guid NewestClosedBoilerTask, Guid ContainsTask, Guid RareTask, Guid NeighbourTask);
}
