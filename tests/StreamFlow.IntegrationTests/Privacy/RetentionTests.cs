using System.Security.Cryptography;
using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy.Retention;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>Retention policies on the real database: validated, counted by a dry run that removes nothing, then applied.</summary>
[Collection(ServicesCollection.Name)]
public sealed class RetentionTests(TestServices services)
{
    [Fact]
    public async Task A_period_out_of_range_is_refused_naming_the_field()
    {
        var tenant = await TenantAsync();

        var saved = await Retention().SetPolicyAsync(tenant, "test", new RetentionPolicy(0, null, 5000, null), default);

        Assert.Equal(ProblemKind.Validation, saved.Problem?.Kind);
        Assert.Equal(["lostLeadsMonths", "sessionsDays"], saved.Problem!.Errors!.Keys.Order());
        Assert.Null((await Retention().PolicyAsync(tenant, default)).UpdatedBy);
    }

    [Fact]
    public async Task The_dry_run_counts_what_is_due_and_removes_nothing_then_applying_removes_exactly_that()
    {
        var tenant = await TenantAsync();
        var oldLost = await LeadAsync(tenant, "Old lost", "old-lost@example.com", lostMonthsAgo: 30);
        var recentLost = await LeadAsync(tenant, "Recent lost", "recent-lost@example.com", lostMonthsAgo: 2);
        var (oldMessage, newMessage) = (NewMessageId(), NewMessageId());
        await SeedLogsAsync(tenant, oldMessage, newMessage);
        Assert.True((await Retention().SetPolicyAsync(tenant, "user:test", new RetentionPolicy(24, 1, 30, 90), default)).Succeeded);

        var dryRun = await Retention().DryRunAsync(tenant, default);
        var dryRunAgain = await Retention().DryRunAsync(tenant, default);
        var applied = await Retention().ApplyAsync(tenant, default);
        var afterwards = await Retention().DryRunAsync(tenant, default);

        Assert.Equal(Counts(dryRun), Counts(dryRunAgain));
        Assert.Equal(1, Count(dryRun, "lostLeads"));
        Assert.Equal(1, Count(dryRun, "sessions"));
        Assert.Equal(1, Count(dryRun, "webhookLogs"));
        Assert.All(dryRun.Categories, c => Assert.False(c.Applied));
        Assert.Equal(Counts(dryRun).Where(c => c.Key != "auditEntries"), Counts(applied).Where(c => c.Key != "auditEntries"));
        Assert.All(afterwards.Categories.Where(c => c.Name != "auditEntries"), c => Assert.Equal(0, c.Count));
        var leads = services.Get<LeadService>();
        Assert.Equal(ProblemKind.NotFound, (await leads.GetAsync(tenant, oldLost, false, default)).Problem?.Kind);
        Assert.Equal("recent-lost@example.com", (await leads.GetAsync(tenant, recentLost, false, default)).Value!.Email);
        var left = await InTenantAsync(tenant, scope => scope.Connection.QuerySingleAsync<(long LiveSessions, long EndedSessions, string Messages, long Runs, string? Name)>("""
            SELECT (SELECT count(*) FROM sessions WHERE expires_at > now()), (SELECT count(*) FROM sessions WHERE expires_at <= now()),
                   (SELECT string_agg(id, ',') FROM webhook_messages WHERE id IN (@OldMessage, @NewMessage)), (SELECT count(*) FROM privacy_retention_runs),
                   (SELECT first_name FROM leads WHERE id = @OldLost)
            """, new { OldLost = oldLost, OldMessage = oldMessage, NewMessage = newMessage }, scope.Transaction));
        Assert.Equal((1L, 0L, newMessage, 1L, (string?)null), left);
    }

    private static Dictionary<string, long> Counts(RetentionOutcome outcome) => outcome.Categories.ToDictionary(c => c.Name, c => c.Count);

    private static long Count(RetentionOutcome outcome, string name) => Assert.Single(outcome.Categories, c => c.Name == name).Count;

    private RetentionService Retention() => services.Get<RetentionService>();

    private Task<T> InTenantAsync<T>(Guid tenant, Func<DbTransactionScope, Task<T>> work) =>
        services.Get<StreamFlowDatabase>().InTenantAsync(tenant, work, default);

    private async Task<Guid> LeadAsync(Guid tenant, string name, string email, int lostMonthsAgo)
    {
        var created = await services.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", true),
            new LeadInput(name, null, null, email, null, "Reference", null, null, null, null, null, null, null, null, null), mergeDuplicate: false, default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            "UPDATE leads SET outcome = 'lost', outcome_at = now() - make_interval(months => @Months) WHERE id = @Id",
            new { Months = lostMonthsAgo, created.Value.Lead.Id }, scope.Transaction));
        return created.Value.Lead.Id;
    }

    /// <summary>One session ended long ago and one live; one webhook event dispatched long ago and one recent.</summary>
    private static string NewMessageId() => $"msg_{Guid.NewGuid():N}";

    private Task<int> SeedLogsAsync(Guid tenant, string oldMessage, string newMessage) => InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync("""
        INSERT INTO sessions (id, tenant_id, user_id, token_hash, created_at, last_seen_at, expires_at)
        SELECT gen_random_uuid(), @Tenant, id, @OldToken, now() - interval '100 days', now() - interval '100 days', now() - interval '99 days' FROM users WHERE role = 'owner';
        INSERT INTO sessions (id, tenant_id, user_id, token_hash, created_at, last_seen_at, expires_at)
        SELECT gen_random_uuid(), @Tenant, id, @LiveToken, now(), now(), now() + interval '1 day' FROM users WHERE role = 'owner';
        INSERT INTO webhook_messages (id, tenant_id, event_type, occurred_at, payload, created_at, dispatched_at)
        VALUES (@OldMessage, @Tenant, 'lead.created', now() - interval '200 days', '{"email": "old-lost@example.com"}', now() - interval '200 days', now() - interval '200 days'),
               (@NewMessage, @Tenant, 'lead.created', now(), '{}', now(), now());
        """, new
    {
        Tenant = tenant, OldToken = RandomNumberGenerator.GetBytes(32), LiveToken = RandomNumberGenerator.GetBytes(32),
        OldMessage = oldMessage, NewMessage = newMessage,
    }, scope.Transaction));

    private async Task<Guid> TenantAsync()
    {
        var slug = $"ret-{Guid.NewGuid():N}"[..20];
        return (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Retention", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
    }
}
