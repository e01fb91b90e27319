using Dapper;
using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.IntegrationTests.Database;

[Collection(ServicesCollection.Name)]
public sealed class RowLevelSecurityTests(TestServices services)
{
    private readonly StreamFlowDatabase _database = services.Get<StreamFlowDatabase>();

    [Fact]
    public async Task Every_table_with_a_tenant_id_forces_row_level_security_and_has_a_policy()
    {
        await using var connection = await services.Get<NpgsqlDataSource>().OpenConnectionAsync();
        var unprotected = await connection.QueryAsync<string>("""
            SELECT c.relname
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity
                       AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
            """);
        var tenantTables = await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'
            """);

        Assert.Empty(unprotected);
        Assert.True(tenantTables > 0);
    }

    [Fact]
    public async Task Without_a_tenant_rows_are_invisible_and_inserts_fail()
    {
        var tenant = await CreateTenantWithSettingsAsync("UTC");

        var visible = await _database.InPlatformAsync(
            scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM tenant_settings WHERE tenant_id = @tenant", new { tenant })),
            CancellationToken.None);
        var insert = await Assert.ThrowsAsync<PostgresException>(() => _database.InPlatformAsync(
            scope => scope.Connection.ExecuteAsync(scope.Command("INSERT INTO tenant_settings (tenant_id) VALUES (@tenant)", new { tenant = Guid.NewGuid() })),
            CancellationToken.None));

        Assert.Equal(0, visible);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState);
    }

    [Fact]
    public async Task One_tenant_never_sees_or_changes_another_tenants_rows()
    {
        var tenantA = await CreateTenantWithSettingsAsync("Europe/Berlin");
        var tenantB = await CreateTenantWithSettingsAsync("America/Denver");

        var seenByB = await _database.InTenantAsync(tenantB,
            scope => scope.Connection.QueryAsync<string>(scope.Command("SELECT time_zone FROM tenant_settings")), CancellationToken.None);
        var changedByB = await _database.InTenantAsync(tenantB,
            scope => scope.Connection.ExecuteAsync(scope.Command("UPDATE tenant_settings SET time_zone = 'UTC' WHERE tenant_id = @tenantA", new { tenantA })),
            CancellationToken.None);
        var stillA = await _database.InTenantAsync(tenantA,
            scope => scope.Connection.ExecuteScalarAsync<string>(scope.Command("SELECT time_zone FROM tenant_settings")), CancellationToken.None);

        Assert.Equal(["America/Denver"], seenByB);
        Assert.Equal(0, changedByB);
        Assert.Equal("Europe/Berlin", stillA);
    }

    [Fact]
    public async Task A_pooled_connection_reused_across_tenants_never_carries_the_tenant_over()
    {
        var builder = new NpgsqlConnectionStringBuilder(services.Configuration["Postgres:AppConnectionString"]) { MaxPoolSize = 1 };
        await using var singleConnectionPool = NpgsqlDataSource.Create(builder.ConnectionString);
        var database = new StreamFlowDatabase(singleConnectionPool);
        var tenant = await CreateTenantWithSettingsAsync("Asia/Tokyo");

        var backendInTenant = await database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<int>(scope.Command("SELECT pg_backend_pid()")), CancellationToken.None);
        var (backendAfter, setting, rows) = await database.InPlatformAsync(async scope => (
            await scope.Connection.ExecuteScalarAsync<int>(scope.Command("SELECT pg_backend_pid()")),
            await scope.Connection.ExecuteScalarAsync<string>(scope.Command("SELECT current_setting('app.tenant_id', true)")),
            await scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM tenant_settings"))), CancellationToken.None);

        Assert.Equal(backendInTenant, backendAfter);
        Assert.True(string.IsNullOrEmpty(setting));
        Assert.Equal(0, rows);
    }

    private async Task<Guid> CreateTenantWithSettingsAsync(string timeZone)
    {
        var tenant = Guid.CreateVersion7();
        await _database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenant, @slug, 'Test tenant', 'hvac')",
            new { tenant, slug = $"t-{tenant:N}" })), CancellationToken.None);
        await _database.InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(scope.Command(
            "INSERT INTO tenant_settings (tenant_id, time_zone) VALUES (@tenant, @timeZone)", new { tenant, timeZone })), CancellationToken.None);
        return tenant;
    }
}
