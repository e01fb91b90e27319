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

    private const string SetDepthSql = "SELECT set_config('app.workflow_depth', @depth, true)";

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

    /// <summary>
    /// Like <see cref="InTenantAsync{T}"/>, but the statements the work only writes (<see cref="DbTransactionScope.ExecuteAsync"/>)
    /// are held back and sent with the next read (<see cref="DbTransactionScope.QueryAsync{T}"/> and friends) or before the
    /// commit, so a request that writes a dozen rows between a few reads costs a few round trips, not a dozen. The tenant
    /// setting itself rides on the first of them. The work must read through the scope's own methods.
    /// </summary>
    public Task<T> InTenantBatchedAsync<T>(Guid tenantId, Func<DbTransactionScope, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(tenantId, work, cancellationToken, batched: true);

    private async Task<T> RunAsync<T>(Guid? tenantId, Func<DbTransactionScope, Task<T>> work, CancellationToken cancellationToken, bool batched = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var scope = new DbTransactionScope(connection, transaction, cancellationToken) { Batched = batched };
        if (tenantId is { } id)
        {
            if (batched)
            {
                scope.Defer(SetTenantSql, new { tenantId = id.ToString() }, resultSets: 1);
            }
            else
            {
                await using var command = new NpgsqlCommand(SetTenantSql, connection, transaction);
                command.Parameters.AddWithValue("tenantId", id.ToString());
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (CausationDepth.Current is { } depth)
        {
            scope.Defer(SetDepthSql, new { depth = depth.ToString(System.Globalization.CultureInfo.InvariantCulture) }, resultSets: 1);
            if (!batched)
            {
                await scope.FlushAsync();
            }
        }

        var result = await work(scope);
        await scope.FlushAsync();
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}

/// <summary>An open connection and its transaction, with the token every statement in it should use.</summary>
public sealed record DbTransactionScope(NpgsqlConnection Connection, NpgsqlTransaction Transaction, CancellationToken CancellationToken)
{
    private readonly List<PendingStatement> _pending = [];

    /// <summary>Writes wait for the next read or the commit (<see cref="StreamFlowDatabase.InTenantBatchedAsync{T}"/>).</summary>
    public bool Batched { get; init; }

    public Dapper.CommandDefinition Command(string sql, object? parameters = null) =>
        new(sql, parameters, Transaction, cancellationToken: CancellationToken);

    /// <summary>A write whose outcome the caller does not need: sent now, or, in a batched scope, with the next round trip.</summary>
    public async Task ExecuteAsync(string sql, object? parameters = null, int resultSets = 0)
    {
        if (!Batched)
        {
            // Reads held back before it go first, so they see what they would have seen when asked for.
            await FlushAsync();
            await Connection.ExecuteAsync(Command(sql, parameters));
            return;
        }

        Defer(sql, parameters, resultSets);
    }

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null) =>
        ReadAsync(sql, parameters, grid => grid.ReadAsync<T>(), command => Connection.QueryAsync<T>(command));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters = null) =>
        ReadAsync(sql, parameters, grid => grid.ReadSingleOrDefaultAsync<T>(), command => Connection.QuerySingleOrDefaultAsync<T>(command));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? parameters = null) =>
        ReadAsync(sql, parameters, grid => grid.ReadSingleOrDefaultAsync<T>(), command => Connection.ExecuteScalarAsync<T>(command));

    /// <summary>
    /// A read that rides with the next round trip instead of making one: its task completes when the next read, write
    /// (in an ordinary scope) or <see cref="FlushAsync"/> sends what is held back, so several reads that do not depend on
    /// each other cost one round trip. Await it only after that: it would wait forever otherwise.
    /// </summary>
    public Task<IEnumerable<T>> QueryLaterAsync<T>(string sql, object? parameters = null) =>
        ReadLaterAsync(sql, parameters, grid => grid.ReadAsync<T>());

    /// <inheritdoc cref="QueryLaterAsync{T}"/>
    public Task<T?> QuerySingleOrDefaultLaterAsync<T>(string sql, object? parameters = null) =>
        ReadLaterAsync(sql, parameters, grid => grid.ReadSingleOrDefaultAsync<T>());

    /// <summary>Sends what is held back, if anything (one round trip).</summary>
    public async Task FlushAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        if (_pending.All(p => p.Reader is null))
        {
            var (sql, parameters) = PendingStatement.Combine(_pending);
            _pending.Clear();
            await Connection.ExecuteAsync(Command(sql, parameters));
            return;
        }

        await SendAsync<object?>(null);
    }

    internal void Defer(string sql, object? parameters, int resultSets) => _pending.Add(new PendingStatement(sql, parameters, resultSets));

    private Task<T> ReadLaterAsync<T>(string sql, object? parameters, Func<SqlMapper.GridReader, Task<T>> read)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add(new PendingStatement(sql, parameters, 1, async grid => result.SetResult(await read(grid)), result.TrySetException));
        return result.Task;
    }

    private async Task<T> ReadAsync<T>(
        string sql, object? parameters, Func<SqlMapper.GridReader, Task<T>> read, Func<Dapper.CommandDefinition, Task<T>> readAlone)
    {
        if (_pending.Count == 0)
        {
            return await readAlone(Command(sql, parameters));
        }

        return await SendAsync(new PendingStatement(sql, parameters, 0), read);
    }

    /// <summary>One round trip: everything held back, then <paramref name="last"/>; each held-back read gets its result sets.</summary>
    private async Task<T> SendAsync<T>(PendingStatement? last, Func<SqlMapper.GridReader, Task<T>>? read = null)
    {
        var statements = _pending.ToList();
        _pending.Clear();
        if (last is not null)
        {
            statements.Add(last);
        }

        try
        {
            var (combined, combinedParameters) = PendingStatement.Combine(statements);
            using var grid = await Connection.QueryMultipleAsync(Command(combined, combinedParameters));
            foreach (var statement in statements)
            {
                if (ReferenceEquals(statement, last))
                {
                    break;
                }

                if (statement.Reader is { } reader)
                {
                    await reader(grid);
                    continue;
                }

                for (var i = 0; i < statement.ResultSets; i++)
                {
                    await grid.ReadAsync<object>();
                }
            }

            return read is null ? default! : await read(grid);
        }
        catch (Exception exception)
        {
            foreach (var statement in statements)
            {
                statement.Failed?.Invoke(exception);
            }

            throw;
        }
    }
}
