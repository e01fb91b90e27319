using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests.Identity;

/// <summary>
/// Two hosts on one database, each with its own session cache and its own LISTEN on access_changes: a session one host
/// has cached stops working there as soon as any host (or a script) revokes it or suspends its tenant, and the cache
/// neither hides a refusal nor skips the once-a-minute last-seen write.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class SessionCacheTests(TestServices services) : IAsyncLifetime
{
    private const string Password = "a long enough password";
    private static readonly TimeSpan NotificationWait = TimeSpan.FromSeconds(60);

    // Whole seconds: PostgreSQL keeps microseconds, and the test compares the times it wrote.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private Host _a = null!;
    private Host _b = null!;

    public async Task InitializeAsync()
    {
        _a = await Host.StartAsync(services.Configuration, _clock);
        _b = await Host.StartAsync(services.Configuration, _clock);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task A_session_signed_out_on_one_host_stops_working_on_the_other_that_had_it_cached()
    {
        var (tenantId, token) = await SignedInAsync();
        await AdmittedAsync(_a, token);
        await _b.CachedAsync(token, _clock.GetUtcNow());

        var principal = (await _a.Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Value!;
        var generationOnB = _b.Changes.Generation;
        await _a.Auth.LogoutAsync(principal, RequestOrigin.None, default);

        Assert.Equal(ProblemKind.Unauthorized, (await _a.Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Problem?.Kind);
        await _b.NotifiedAfterAsync(generationOnB);
        Assert.Equal(ProblemKind.Unauthorized, (await _b.Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Problem?.Kind);
        Assert.NotEqual(Guid.Empty, tenantId);
    }

    [Fact]
    public async Task A_revocation_written_by_a_script_and_a_suspension_reach_every_host()
    {
        var (tenantId, token) = await SignedInAsync();
        var (_, other) = await SignedInAsync();
        await AdmittedOnBothAsync(token);
        await AdmittedOnBothAsync(other);

        var generations = (_a.Changes.Generation, _b.Changes.Generation);
        await RevokeInSqlAsync(token);
        await _a.NotifiedAfterAsync(generations.Item1);
        await _b.NotifiedAfterAsync(generations.Item2);
        Assert.Equal(ProblemKind.Unauthorized, (await _a.Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Unauthorized, (await _b.Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Problem?.Kind);

        await AdmittedOnBothAsync(other);
        var otherTenant = TenantOf(other);
        var generationOnB = _b.Changes.Generation;
        Assert.True((await _a.Tenants.SuspendAsync(otherTenant, "unpaid", "test", RequestOrigin.None, default)).Succeeded);
        Assert.Equal(ProblemKind.Forbidden, (await _a.Auth.AuthenticateAsync(other, RequestOrigin.None, default)).Problem?.Kind);
        await _b.NotifiedAfterAsync(generationOnB);
        Assert.Equal(ProblemKind.Forbidden, (await _b.Auth.AuthenticateAsync(other, RequestOrigin.None, default)).Problem?.Kind);
        Assert.NotEqual(tenantId, otherTenant);
    }

    [Fact]
    public async Task A_host_whose_listener_is_down_serves_nothing_from_its_cache()
    {
        var (_, token) = await SignedInAsync();
        await AdmittedOnBothAsync(token);

        await _b.StopListeningAsync();
        await using (var connection = new NpgsqlConnection(services.Configuration["Postgres:OwnerConnectionString"]))
        {
            await connection.OpenAsync();
            // A revocation no one hears about (the trigger disabled for this transaction): only a database check sees it.
            await using var command = new NpgsqlCommand("""
                BEGIN;
                SELECT set_config('app.tenant_id', @tenant, true);
                ALTER TABLE sessions DISABLE TRIGGER sessions_access_change;
                UPDATE sessions SET revoked_at = now() WHERE token_hash = @hash;
                ALTER TABLE sessions ENABLE TRIGGER sessions_access_change;
                COMMIT;
                """, connection);
            command.Parameters.AddWithValue("hash", SessionToken.Hash(token));
            command.Parameters.AddWithValue("tenant", TenantOf(token).ToString());
            await command.ExecuteNonQueryAsync();
        }

        Assert.False(_b.Changes.Listening);
        Assert.Equal(ProblemKind.Unauthorized, (await _b.Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Problem?.Kind);
    }

    [Fact]
    public async Task Cached_checks_still_write_last_seen_once_a_minute_and_no_more()
    {
        var (_, token) = await SignedInAsync();
        var signedInAt = _clock.GetUtcNow();

        _clock.Advance(TimeSpan.FromMinutes(2));
        await AdmittedAsync(_b, token);
        var touchedAt = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(30));
        await AdmittedAsync(_b, token);
        var withinTheMinute = await LastSeenAsync(token);
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(_b.Cache.TryGet(SessionToken.Hash(token), _clock.GetUtcNow(), out _));
        await AdmittedAsync(_b, token);
        var afterTheMinute = await LastSeenAsync(token);

        Assert.Equal(touchedAt, withinTheMinute);
        Assert.Equal(touchedAt + TimeSpan.FromSeconds(61), afterTheMinute);
        Assert.NotEqual(signedInAt, touchedAt);
    }

    private async Task<(Guid TenantId, string Token)> SignedInAsync()
    {
        var slug = $"cache-{Guid.NewGuid():N}"[..20];
        var email = $"owner@{slug}.example.com";
        var created = (await _a.Tenants.CreateAsync(new CreateTenantRequest("Session cache", slug, "hvac", new TenantOwner(email, "Owner", Password)),
            "test", RequestOrigin.None, default)).Value!;
        var login = await _a.Auth.LoginAsync(new ClientLoginRequest(slug, email, Password, null), RequestOrigin.None, default);
        return (created.Tenant.Id, login.Value!.AccessToken);
    }

    private async Task AdmittedOnBothAsync(string token)
    {
        await AdmittedAsync(_a, token);
        await AdmittedAsync(_b, token);
    }

    private static async Task AdmittedAsync(Host host, string token) =>
        Assert.True((await host.Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Succeeded);

    private async Task<DateTimeOffset> LastSeenAsync(string token)
    {
        await using var connection = new NpgsqlConnection(services.Configuration["Postgres:OwnerConnectionString"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT last_seen_at FROM sessions WHERE token_hash = @hash", connection);
        command.Parameters.AddWithValue("hash", SessionToken.Hash(token));
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    /// <summary>As a script in psql would, under the tenant's row-level security (which binds the owner role too).</summary>
    private async Task RevokeInSqlAsync(string token)
    {
        await using var connection = new NpgsqlConnection(services.Configuration["Postgres:OwnerConnectionString"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            BEGIN;
            SELECT set_config('app.tenant_id', @tenant, true);
            UPDATE sessions SET revoked_at = now() WHERE token_hash = @hash;
            COMMIT;
            """, connection);
        command.Parameters.AddWithValue("hash", SessionToken.Hash(token));
        command.Parameters.AddWithValue("tenant", TenantOf(token).ToString());
        await command.ExecuteNonQueryAsync();
    }

    private static Guid TenantOf(string token) => SessionToken.TryReadTenant(token, out var tenantId) ? tenantId : Guid.Empty;

    /// <summary>One host's services, with its access-change listener running as in a real host.</summary>
    private sealed class Host(ServiceProvider provider, AccessChangesListener listener) : IAsyncDisposable
    {
        public ClientAuthService Auth => provider.GetRequiredService<ClientAuthService>();

        public TenantService Tenants => provider.GetRequiredService<TenantService>();

        public SessionCache Cache => provider.GetRequiredService<SessionCache>();

        public AccessChanges Changes => provider.GetRequiredService<AccessChanges>();

        public static async Task<Host> StartAsync(IConfiguration configuration, TimeProvider clock)
        {
            var provider = new ServiceCollection().AddLogging().AddSingleton(configuration)
                .AddStreamFlowFunctions(configuration).AddSingleton(clock).BuildServiceProvider();
            var listener = ActivatorUtilities.CreateInstance<AccessChangesListener>(provider);
            await listener.StartAsync(default);
            var host = new Host(provider, listener);
            await WaitAsync(() => host.Changes.Listening, "its listener to connect");
            return host;
        }

        /// <summary>Checks until the session is served from the cache (an unrelated access change elsewhere empties it).</summary>
        public Task CachedAsync(string token, DateTimeOffset now) => WaitUntilAsync(async () =>
            (await Auth.AuthenticateAsync(token, RequestOrigin.None, default)).Succeeded
            && Cache.TryGet(SessionToken.Hash(token), now, out _), "the session to be cached");

        /// <summary>Waits for a notification to arrive (no time is asserted: the wait only bounds a broken test).</summary>
        public Task NotifiedAfterAsync(long generation) => WaitAsync(() => Changes.Generation != generation, "the access-change notification");

        public async Task StopListeningAsync()
        {
            await listener.StopAsync(default);
            await WaitAsync(() => !Changes.Listening, "its listener to stop");
        }

        public async ValueTask DisposeAsync()
        {
            await listener.StopAsync(default);
            await provider.DisposeAsync();
        }

        private static Task WaitAsync(Func<bool> done, string what) => WaitUntilAsync(() => Task.FromResult(done()), what);

        private static async Task WaitUntilAsync(Func<Task<bool>> done, string what)
        {
            var deadline = DateTime.UtcNow + NotificationWait;
            while (!await done())
            {
                Assert.True(DateTime.UtcNow < deadline, $"Waited {NotificationWait.TotalSeconds:0} s for {what}.");
                await Task.Delay(20);
            }
        }
    }
}
