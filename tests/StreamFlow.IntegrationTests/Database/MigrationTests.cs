using Dapper;
using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.IntegrationTests.Database;

[Collection(ServicesCollection.Name)]
public sealed class MigrationTests(TestServices services)
{
    [Fact]
    public void Applying_migrations_again_changes_nothing()
    {
        var outcome = services.Get<DatabaseMigrator>().Migrate();

        Assert.True(outcome.Successful, outcome.Error);
        Assert.Empty(outcome.Applied);
    }

    [Fact]
    public async Task Application_role_owns_nothing_and_cannot_bypass_row_level_security()
    {
        await using var connection = await services.Get<NpgsqlDataSource>().OpenConnectionAsync();

        var role = await connection.QuerySingleAsync<(bool Super, bool BypassRls, bool CreateRole, bool CreateDb)>(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user");
        var owned = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE pg_get_userbyid(c.relowner) = current_user AND n.nspname = 'public'");

        Assert.Equal((false, false, false, false), role);
        Assert.Equal(0, owned);
    }

    [Fact]
    public async Task Application_role_cannot_create_or_alter_objects()
    {
        await using var connection = await services.Get<NpgsqlDataSource>().OpenConnectionAsync();

        var create = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("CREATE TABLE intruder (id int)"));
        var alter = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("ALTER TABLE tenant_settings NO FORCE ROW LEVEL SECURITY"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, create.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, alter.SqlState);
    }
}
