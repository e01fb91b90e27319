using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.UnitTests.Database;

public sealed class PostgresPoolTests
{
    [Fact]
    public void An_unbounded_connection_string_gets_the_configured_ceiling_and_wait()
    {
        var connection = new NpgsqlConnectionStringBuilder("Host=db;Username=app");

        PostgresPool.Bound(connection, new PostgresOptions { MaxPoolSize = 30, ConnectionWaitSeconds = 4 });

        Assert.Equal(30, connection.MaxPoolSize);
        Assert.Equal(4, connection.Timeout);
    }

    [Fact]
    public void Limits_chosen_in_the_connection_string_are_kept()
    {
        var connection = new NpgsqlConnectionStringBuilder("Host=db;Username=app;Maximum Pool Size=12;Timeout=9");

        PostgresPool.Bound(connection, new PostgresOptions());

        Assert.Equal(12, connection.MaxPoolSize);
        Assert.Equal(9, connection.Timeout);
    }
}
