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

    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>Runs <paramref name="work"/> in one transaction that sees only <paramref name="tenantId"/>'s rows.</summary>
    public Task<T> InTenantAsync<T>(Guid tenantId, Func<DbTransactionScope, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(tenantId, work, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction with no tenant set: tenant tables look empty.</summary>
    public Task<T> InPlatformAsync<T>(Func<DbTransactionScope, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(null, work, cancellationToken);

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
