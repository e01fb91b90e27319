using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StreamFlow.Core.Health;

/// <summary>Checks every dependency in parallel, each under its own time limit.</summary>
public sealed class HealthService(
    NpgsqlDataSource dataSource,
    BlobServiceClient blobs,
    TimeProvider timeProvider,
    ILogger<HealthService> logger,
    HealthOptions? options = null)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly TimeSpan _cacheFor = (options ?? new HealthOptions()).CacheFor;
    private HealthReport? _cached;

    /// <summary>
    /// The last report if it is younger than the cache period, else a fresh one. Load balancers and monitors poll
    /// health often; without this every poll would hit PostgreSQL, Blob storage and the durable backend.
    /// </summary>
    public async Task<HealthReport> CheckCachedAsync(IEnumerable<HealthProbe> extraProbes, CancellationToken cancellationToken)
    {
        if (IsFresh(_cached))
        {
            return _cached!;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (!IsFresh(_cached))
            {
                _cached = await CheckAsync(extraProbes, cancellationToken);
            }

            return _cached!;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Runs the built-in probes (PostgreSQL, Blob storage) plus <paramref name="extraProbes"/>.</summary>
    public async Task<HealthReport> CheckAsync(IEnumerable<HealthProbe> extraProbes, CancellationToken cancellationToken)
    {
        HealthProbe[] probes = [new("postgres", CheckPostgresAsync), new("blobStorage", CheckBlobStorageAsync), .. extraProbes];
        var results = await Task.WhenAll(probes.Select(probe => RunAsync(probe, cancellationToken)));
        var checks = results.ToDictionary(r => r.Name, r => r.Result, StringComparer.Ordinal);
        var status = results.All(r => r.Result.Status == HealthStatus.Ok) ? HealthStatus.Ok : HealthStatus.Degraded;
        return new HealthReport(status, checks, timeProvider.GetUtcNow());
    }

    private async Task<(string Name, HealthCheckResult Result)> RunAsync(HealthProbe probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await probe.CheckAsync(timeout.Token).WaitAsync(timeout.Token);
            return (probe.Name, new HealthCheckResult(HealthStatus.Ok, ElapsedMs(started), null));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Health probe {Probe} failed", probe.Name);
            var reason = timeout.IsCancellationRequested ? "timed out" : "unreachable";
            return (probe.Name, new HealthCheckResult(HealthStatus.Failed, ElapsedMs(started), reason));
        }
    }

    private Task CheckPostgresAsync(CancellationToken cancellationToken) => HeartbeatStore.ProbeAsync(dataSource, cancellationToken);

    private Task CheckBlobStorageAsync(CancellationToken cancellationToken) =>
        blobs.GetBlobContainerClient(Storage.BlobContainerNames.Platform).ExistsAsync(cancellationToken);

    private bool IsFresh(HealthReport? report) => report is not null && timeProvider.GetUtcNow() - report.CheckedAt < _cacheFor;

    private static double ElapsedMs(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}

public sealed class HealthOptions
{
    /// <summary>How long GET /api/health answers from the last check; zero checks on every request.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(2);
}
