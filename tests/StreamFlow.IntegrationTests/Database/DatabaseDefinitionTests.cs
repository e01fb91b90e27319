using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.IntegrationTests.Database;

[Collection(ServicesCollection.Name)]
public sealed class DatabaseDefinitionTests(TestServices services)
{
    // Functions, procedures and views of the public schema that no extension (pg_trgm) brought.
    private const string DefinitionsSql = """
        SELECT 'functions/' || p.proname || '.sql' AS File,
               p.oid::regprocedure::text AS Signature,
               pg_get_functiondef(p.oid) || ' acl=' || coalesce(p.proacl::text, '') || ' owner=' || pg_get_userbyid(p.proowner) AS Text
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
        UNION ALL
        SELECT 'views/' || c.relname || '.sql', c.relname,
               pg_get_viewdef(c.oid) || ' acl=' || coalesce(c.relacl::text, '') || ' owner=' || pg_get_userbyid(c.relowner)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2
        """;

    [Fact]
    public async Task Every_function_and_view_has_exactly_one_file()
    {
        await using var connection = await OpenOwnerAsync();

        var inDatabase = (await connection.QueryAsync<Definition>(DefinitionsSql)).ToList();

        Assert.Equal(DatabaseMigrator.KnownDefinitions().Keys, inDatabase.Select(d => d.File).Distinct().Order(StringComparer.Ordinal));
        Assert.All(inDatabase.GroupBy(d => d.File), file => Assert.Single(file));
    }

    [Fact]
    public async Task Migrating_twice_changes_nothing()
    {
        await using var connection = await OpenOwnerAsync();
        var before = (await connection.QueryAsync<Definition>(DefinitionsSql)).ToList();

        var outcome = services.Get<DatabaseMigrator>().Migrate();

        Assert.True(outcome.Successful, outcome.Error);
        Assert.Empty(outcome.Applied);
        Assert.Equal(before, await connection.QueryAsync<Definition>(DefinitionsSql));
    }

    [Fact]
    public async Task Definitions_in_the_database_equal_the_files()
    {
        await using var connection = await OpenOwnerAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var before = (await connection.QueryAsync<Definition>(DefinitionsSql, transaction: transaction)).ToList();

        var appRole = services.Get<IOptions<PostgresOptions>>().Value.AppRole;
        foreach (var (_, sql) in DatabaseMigrator.KnownDefinitions())
        {
            await connection.ExecuteAsync(sql.Replace("$AppRole$", appRole, StringComparison.Ordinal), transaction: transaction);
        }

        var after = (await connection.QueryAsync<Definition>(DefinitionsSql, transaction: transaction)).ToList();
        await transaction.RollbackAsync();
        Assert.Equal(before, after);
    }

    private async Task<NpgsqlConnection> OpenOwnerAsync()
    {
        var connection = new NpgsqlConnection(services.Get<IOptions<PostgresOptions>>().Value.OwnerConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private sealed record Definition(string File, string Signature, string Text);
}
