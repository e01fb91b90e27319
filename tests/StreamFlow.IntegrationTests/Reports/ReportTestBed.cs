using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests.Reports;

/// <summary>The real services on a clock the test moves, and tenants and users made through the real services.</summary>
internal sealed class ReportTestBed : IDisposable
{
    public const string Password = "correct horse battery staple";

    private readonly ServiceProvider _provider;

    public ReportTestBed(TestServices services, DateTimeOffset now)
    {
        Clock = new FakeTimeProvider(now);
        _provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(services.Configuration)
            .AddStreamFlowFunctions(services.Configuration)
            .AddSingleton<TimeProvider>(Clock)
            .BuildServiceProvider();
    }

    public FakeTimeProvider Clock { get; }

    public StreamFlowDatabase Database => Get<StreamFlowDatabase>();

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public async Task<(Guid TenantId, ClientPrincipal Owner)> CreateTenantAsync(string timeZone = "UTC")
    {
        var slug = $"rpt-{Guid.NewGuid():N}"[..20];
        var created = await Get<TenantService>().CreateAsync(
            new CreateTenantRequest($"Reports {slug}", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Olive Owner", Password)),
            "test", new RequestOrigin(null, null), CancellationToken.None);
        var tenantId = created.Value!.Tenant.Id;
        await Database.InTenantAsync(tenantId, scope =>
            scope.Connection.ExecuteAsync(scope.Command("UPDATE tenant_settings SET time_zone = @TimeZone", new { TimeZone = timeZone })), CancellationToken.None);
        return (tenantId, Principal(tenantId, created.Value.OwnerUserId, $"owner@{slug}.example.com", ClientRole.Owner));
    }

    public async Task<ClientPrincipal> AddUserAsync(Guid tenantId, ClientRole role)
    {
        var id = Guid.CreateVersion7();
        var email = $"{role.ToDatabase()}-{id:N}@example.com";
        await Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO users (id, tenant_id, email, name, role, status, created_at, updated_at)
            VALUES (@Id, @TenantId, @Email, 'A user', @Role, 'active', @Now, @Now)
            """, new { Id = id, TenantId = tenantId, Email = email, Role = role.ToDatabase(), Now = Clock.GetUtcNow() })), CancellationToken.None);
        return Principal(tenantId, id, email, role);
    }

    public void Dispose() => _provider.Dispose();

    private static ClientPrincipal Principal(Guid tenantId, Guid userId, string email, ClientRole role) =>
        new(tenantId, userId, Guid.Empty, email, role, 600, 300);
}
