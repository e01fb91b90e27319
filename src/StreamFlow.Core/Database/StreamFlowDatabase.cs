using Dapper;
using Npgsql;

namespace StreamFlow.Core.Database;

/// <summary>
/// Opens transactions as the application role. Tenant work sets <c>app.tenant_id</c> with
/// <c>set_config(..., true)</c> so it lives and dies with the transaction and never leaks through the pool.
/// </summary>
public sealed class StreamFlowDatabase(NpgsqlDataSource dataSource)
{
    static StreamFlowDatabase() => DapperTypeHandlers.Register();

    private const string SetTenantSql = "SELECT set_config('app.tenant_id', @tenantId, true)";

    private const string BatchTenantParameter = "BatchTenantId";
    private const string BatchSetTenantSql = "SELECT set_config('app.tenant_id', @" + BatchTenantParameter + ", true);\n";

    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>Runs <paramref name="work"/> in one transaction that sees only <paramref name="tenantId"/>'s rows.</summary>
    public Task<T> InTenantAsync<T>(Guid tenantId, Func<DbTransactionScope, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(tenantId, work, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction with no tenant set: tenant tables look empty.</summary>
    public Task<T> InPlatformAsync<T>(Func<DbTransactionScope, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(null, work, cancellationToken);

    /// <summary>
    /// Sends <paramref name="sql"/> (one or more statements) for <paramref name="tenantId"/> in one round trip, as one
    /// implicit transaction: with no explicit transaction open, PostgreSQL runs a protocol batch — the tenant setting
    /// first, then the statements — in a single transaction that commits after the last statement and rolls back
    /// entirely when any fails. For hot paths where BEGIN, SET and COMMIT as round trips of their own would cost more
    /// than the work. <paramref name="read"/> gets the statements' results (the tenant setting's is already consumed).
    /// </summary>
    public async Task<T> InTenantBatchAsync<T>(
        Guid tenantId, string sql, DynamicParameters parameters, Func<SqlMapper.GridReader, Task<T>> read, CancellationToken cancellationToken)
    {
        parameters.Add(BatchTenantParameter, tenantId.ToString());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(BatchSetTenantSql + sql, parameters, cancellationToken: cancellationToken));
        await results.ReadAsync<string>();
        return await read(results);
    }

    private async Task<T> RunAsync<T>(Guid? tenantId, Func<DbTransactionScope, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (tenantId is { } id)
        {
            await using var command = new NpgsqlCommand(SetTenantSql, connection, transaction);
            command.Parameters.AddWithValue("tenantId", id.ToString());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var result = await work(new DbTransactionScope(connection, transaction, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}

/// <summary>An open connection and its transaction, with the token every statement in it should use.</summary>
public sealed record DbTransactionScope(NpgsqlConnection Connection, NpgsqlTransaction Transaction, CancellationToken CancellationToken)
{
    public Dapper.CommandDefinition Command(string sql, object? parameters = null) =>
        new(sql, parameters, Transaction, cancellationToken: CancellationToken);
}
