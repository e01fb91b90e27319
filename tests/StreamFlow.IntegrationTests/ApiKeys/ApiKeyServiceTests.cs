using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.ApiKeys;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests.ApiKeys;

/// <summary>The time-bound rules of API keys, on the real database with a clock the test moves.</summary>
[Collection(ServicesCollection.Name)]
public sealed class ApiKeyServiceTests(TestServices services) : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private ServiceProvider? _provider;

    [Fact]
    public async Task Last_use_is_written_at_most_once_a_minute()
    {
        var (keys, owner) = await OwnerAsync();
        var created = (await keys.CreateAsync(owner, new CreateApiKey("Sync", ["LeadsRead"], null, null), RequestOrigin.None, default)).Value!;
        var first = _clock.GetUtcNow();

        await AuthenticateAsync(keys, created.Key);
        _clock.Advance(TimeSpan.FromSeconds(59));
        await AuthenticateAsync(keys, created.Key);
        var withinTheMinute = (await keys.GetAsync(owner.TenantId, created.ApiKey.Id, default)).Value!.LastUsedAt;
        _clock.Advance(TimeSpan.FromSeconds(2));
        await AuthenticateAsync(keys, created.Key);
        var afterTheMinute = (await keys.GetAsync(owner.TenantId, created.ApiKey.Id, default)).Value!.LastUsedAt;

        Assert.Equal(first, withinTheMinute);
        Assert.Equal(first + TimeSpan.FromSeconds(61), afterTheMinute);
    }

    [Fact]
    public async Task A_key_stops_at_its_expiry_and_an_old_key_at_the_end_of_its_rotation_overlap()
    {
        var (keys, owner) = await OwnerAsync();
        var shortLived = (await keys.CreateAsync(owner, new CreateApiKey("Short", ["LeadsRead"], _clock.GetUtcNow().AddHours(2), null), RequestOrigin.None, default)).Value!;
        var rotating = (await keys.CreateAsync(owner, new CreateApiKey("Rotating", ["LeadsRead"], null, null), RequestOrigin.None, default)).Value!;
        var successor = (await keys.RotateAsync(owner, rotating.ApiKey.Id, new RotateApiKey(_clock.GetUtcNow().AddHours(1), null), RequestOrigin.None, default)).Value!;

        _clock.Advance(TimeSpan.FromMinutes(59));
        var duringOverlap = await keys.AuthenticateAsync(rotating.Key, "test", RequestOrigin.None, default);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var afterOverlap = await keys.AuthenticateAsync(rotating.Key, "test", RequestOrigin.None, default);
        var successorAfter = await keys.AuthenticateAsync(successor.Key, "test", RequestOrigin.None, default);
        var shortBefore = await keys.AuthenticateAsync(shortLived.Key, "test", RequestOrigin.None, default);
        _clock.Advance(TimeSpan.FromHours(1));
        var shortAfter = await keys.AuthenticateAsync(shortLived.Key, "test", RequestOrigin.None, default);

        Assert.True(duringOverlap.Succeeded);
        Assert.Equal(ProblemKind.Unauthorized, afterOverlap.Problem?.Kind);
        Assert.True(successorAfter.Succeeded);
        Assert.True(shortBefore.Succeeded);
        Assert.Equal(ProblemKind.Unauthorized, shortAfter.Problem?.Kind);
    }

    [Fact]
    public async Task A_key_acts_within_both_its_scopes_and_its_creators_current_role()
    {
        var (keys, owner) = await OwnerAsync();
        var created = (await keys.CreateAsync(owner, new CreateApiKey("Scoped", ["LeadsRead", "UsersManage"], null, null), RequestOrigin.None, default)).Value!;

        var principal = (await keys.AuthenticateAsync(created.Key, "test", RequestOrigin.None, default)).Value!;
        var asIfDemoted = principal with { Role = ClientRole.Staff };

        Assert.True(principal.Allows(Permission.LeadsRead));
        Assert.True(principal.Allows(Permission.UsersManage));
        Assert.False(principal.Allows(Permission.LeadsWrite));
        Assert.False(principal.Allows(Permission.Self));
        Assert.True(asIfDemoted.Allows(Permission.LeadsRead));
        Assert.False(asIfDemoted.Allows(Permission.UsersManage));
        Assert.Equal($"apikey:{created.ApiKey.Id}", principal.Actor);
    }

    [Fact]
    public async Task A_key_of_one_tenant_presented_with_another_tenants_id_is_unknown()
    {
        var (keys, owner) = await OwnerAsync();
        var (_, other) = await OwnerAsync();
        var created = (await keys.CreateAsync(owner, new CreateApiKey("Mine", ["LeadsRead"], null, null), RequestOrigin.None, default)).Value!;
        var forged = (await keys.CreateAsync(other, new CreateApiKey("Theirs", ["LeadsRead"], null, null), RequestOrigin.None, default)).Value!;
        var spliced = created.Key[..19] + forged.Key[19..];

        var result = await keys.AuthenticateAsync(spliced, "test", RequestOrigin.None, default);

        Assert.Equal(ProblemKind.Unauthorized, result.Problem?.Kind);
    }

    public void Dispose() => _provider?.Dispose();

    private async Task<(ApiKeyService Keys, ClientPrincipal Owner)> OwnerAsync()
    {
        _provider ??= new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(services.Configuration)
            .AddStreamFlowFunctions(services.Configuration).AddSingleton<TimeProvider>(_clock).BuildServiceProvider();
        var slug = $"keys-{Guid.NewGuid():N}"[..20];
        var email = $"owner@{slug}.example.com";
        var created = (await _provider.GetRequiredService<TenantService>().CreateAsync(
            new CreateTenantRequest("API keys", slug, "hvac", new TenantOwner(email, "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!;
        var owner = new ClientPrincipal(created.Tenant.Id, created.OwnerUserId, Guid.NewGuid(), email, ClientRole.Owner, 1000, 1000);
        return (_provider.GetRequiredService<ApiKeyService>(), owner);
    }

    private static async Task AuthenticateAsync(ApiKeyService keys, string key) =>
        Assert.True((await keys.AuthenticateAsync(key, "test", RequestOrigin.None, default)).Succeeded);
}
