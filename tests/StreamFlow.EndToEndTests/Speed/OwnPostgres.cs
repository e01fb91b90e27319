using System.Diagnostics;
using Npgsql;

namespace StreamFlow.EndToEndTests.Speed;

/// <summary>
/// A PostgreSQL cluster of a test's own (Speed/own-postgres.sh, built with ./test.sh's own functions), which the test
/// may stop and start under a host, and read as the cluster's superuser.
/// </summary>
internal sealed class OwnPostgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Dictionary<string, string> _printed = new(StringComparer.Ordinal);

    private OwnPostgres(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The Postgres__* settings a host on this cluster needs.</summary>
    public IReadOnlyDictionary<string, string> HostSettings =>
        _printed.Where(p => p.Key.StartsWith("Postgres__", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);

    /// <summary>The cluster's superuser on the application database: sees every tenant's rows.</summary>
    public string AdminConnectionString =>
        new NpgsqlConnectionStringBuilder(_printed["Admin"]) { Database = new NpgsqlConnectionStringBuilder(_printed["Postgres__AppConnectionString"]).Database, Pooling = false }
            .ConnectionString;

    /// <param name="name">A folder name under the test run's data folder.</param>
    /// <param name="portOffset">Added to this run's API port offset, so that runs with other offsets never collide. The
    /// base lies below Linux's ephemeral ports (32768–60999): an outgoing connection can never be holding it.</param>
    public static async Task<OwnPostgres> StartAsync(string name, int portOffset)
    {
        var runOffset = TestEnvironment.ApiPort - 7171;
        var postgres = new OwnPostgres(Path.Combine(TestEnvironment.Setting("STREAMFLOW_TEST_DATA_DIR"), name), 15330 + runOffset + portOffset);
        await postgres.RunAsync("destroy");
        foreach (var line in (await postgres.RunAsync("start", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))).Split('\n'))
        {
            if (line.IndexOf('=', StringComparison.Ordinal) is > 0 and var at)
            {
                postgres._printed[line[..at]] = line[(at + 1)..];
            }
        }

        return postgres;
    }

    /// <summary><c>pg_ctl stop -m fast</c>: open sessions are ended and new connections refused.</summary>
    public Task StopAsync() => RunAsync("stop");

    public Task ResumeAsync() => RunAsync("resume", Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public async ValueTask DisposeAsync() => await RunAsync("destroy");

    private async Task<string> RunAsync(params string[] arguments)
    {
        var script = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "StreamFlow.EndToEndTests", "Speed", "own-postgres.sh");
        var start = new ProcessStartInfo("bash", [script, arguments[0], _directory, .. arguments[1..]])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"own-postgres.sh {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }

        return await output;
    }
}
