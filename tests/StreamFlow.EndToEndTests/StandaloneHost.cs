using System.Diagnostics;
using System.Net;
using System.Text;

namespace StreamFlow.EndToEndTests;

/// <summary>The standalone host as a separate process, started the way ./run.sh starts it.</summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private readonly string? _taskHub;
    private readonly IReadOnlyDictionary<string, string> _settings;

    /// <param name="taskHub">A task hub of its own keeps this host's orchestrations away from other hosts' workers.</param>
    /// <param name="settings">Extra environment settings for this host (they win over the defaults below).</param>
    public StandaloneHost(int port, int sidecarPort, string? taskHub = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        Port = port;
        SidecarPort = sidecarPort;
        _taskHub = taskHub;
        _settings = settings ?? new Dictionary<string, string>();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public int SidecarPort { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task StartAsync()
    {
        var dll = Path.Combine(TestEnvironment.RepositoryRoot, "src", "StreamFlow.Standalone", "bin", TestEnvironment.Configuration, "net10.0", "StreamFlow.Standalone.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first (./test.sh does).");
        }

        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["STREAMFLOW_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Durable__SidecarPort"] = SidecarPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Timers__Enabled"] = "false";
        start.Environment["Federation__AllowLoopbackForDevelopment"] = "true";
        // Every test signs in from 127.0.0.1: the per-IP throttle is tested in the integration tests instead.
        start.Environment["LoginThrottle__FreeIpFailures"] = "100000";
        start.Environment["LoginThrottle__MaxIpFailuresPerHour"] = "100000";
        start.Environment["Identity__FreePasswordResetsPerAddress"] = "100000";
        // A workflow minute of 200 ms: the run engine's waits (real durable timers) pass in seconds (docs/workflows.md).
        start.Environment["Workflows__MinuteLength"] = "00:00:00.200";
        start.Environment["Workflows__ConditionPollInterval"] = "00:00:00.500";
        if (_taskHub is not null)
        {
            start.Environment["Durable__TaskHub"] = _taskHub;
            // Queued workflow runs go to the work outbox of the host that claims them: only the shared host's hub takes them.
            start.Environment["Workflows__ListenForNotifications"] = "false";
        }

        foreach (var (name, value) in TestEnvironment.OwnSettings().Concat(_settings.Select(s => (s.Key, s.Value))))
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>Kills the process without any chance to shut down cleanly, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Client.Dispose();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"The standalone host exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync("/api/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The standalone host was not healthy within {limit}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
