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
    ILogger<HealthService> logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

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

    private async Task CheckPostgresAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private Task CheckBlobStorageAsync(CancellationToken cancellationToken) =>
        blobs.GetBlobContainerClient(Storage.BlobContainerNames.Platform).ExistsAsync(cancellationToken);

    private static double ElapsedMs(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}
