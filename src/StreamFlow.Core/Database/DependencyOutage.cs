using Azure;
using Npgsql;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Database;

/// <summary>
/// Tells a dependency being down or full (PostgreSQL unreachable, out of connection slots, the pool's wait timed
/// out; blob storage unreachable or answering 5xx) from a bug, so that callers get 503 with Retry-After — the
/// condition passes by itself and Npgsql and the storage client reconnect without a restart.
/// </summary>
public static class DependencyOutage
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The 503 problem for <paramref name="exception"/>, or null when it is not an outage.</summary>
    public static Problem? ProblemFor(Exception exception) =>
        DependencyOf(exception) is { } dependency
            ? new Problem(ProblemKind.Unavailable, $"The {dependency} is unavailable or at capacity; retry after a few seconds.", RetryAfter: RetryAfter)
            : null;

    /// <summary>"database" or "storage" when <paramref name="exception"/> (or one it wraps) is an outage of it.</summary>
    public static string? DependencyOf(Exception exception)
    {
        for (var depth = 0; depth < 8 && exception is not null; depth++)
        {
            // Azure.Core turns a refused connection into RequestFailedException with status 0, and wraps the
            // last of its retries in an AggregateException.
            switch (exception)
            {
                case PostgresException postgres:
                    return IsOutageState(postgres.SqlState) ? "database" : null;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return "database";
                case RequestFailedException storage when storage.Status is 0 or >= 500:
                    return "storage";
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return aggregate.InnerExceptions.Select(DependencyOf).FirstOrDefault(d => d is not null);
            }

            exception = exception.InnerException!;
        }

        return null;
    }

    // Class 08 connection exception, 53 insufficient resources (53300 too many connections), 57P01-57P03 shutdown and
    // startup; not 57014 (a cancelled statement is the caller's own timeout).
    private static bool IsOutageState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState is "57P01" or "57P02" or "57P03";
}
