using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StreamFlow.Core.Health;

namespace StreamFlow.IntegrationTests.Health;

[Collection(ServicesCollection.Name)]
public sealed class HealthServiceTests(TestServices services)
{
    [Fact]
    public async Task All_checks_pass_against_the_running_services()
    {
        var report = await services.Get<HealthService>().CheckAsync([], CancellationToken.None);

        Assert.Equal(HealthStatus.Ok, report.Status);
        Assert.Equal(["blobStorage", "postgres"], report.Checks.Keys.Order());
    }

    [Fact]
    public async Task A_database_that_does_not_answer_degrades_health_and_names_the_check()
    {
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Timeout=1");
        var health = new HealthService(unreachable, services.Get<BlobServiceClient>(), TimeProvider.System, NullLogger<HealthService>.Instance);

        var report = await health.CheckAsync([], CancellationToken.None);

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal(HealthStatus.Failed, report.Checks["postgres"].Status);
        Assert.Equal(HealthStatus.Ok, report.Checks["blobStorage"].Status);
    }

    [Fact]
    public async Task A_probe_that_hangs_is_reported_as_timed_out()
    {
        var hanging = new HealthProbe("durable", token => Task.Delay(Timeout.Infinite, token));

        var report = await services.Get<HealthService>().CheckAsync([hanging], CancellationToken.None);

        Assert.Equal("timed out", report.Checks["durable"].Error);
        Assert.Equal(HealthStatus.Degraded, report.Status);
    }

    [Fact]
    public async Task Heartbeats_are_recorded_and_read_back_newest_first()
    {
        var store = services.Get<HeartbeatStore>();
        var report = await services.Get<HealthService>().CheckAsync([], CancellationToken.None);

        await store.RecordAsync(report, CancellationToken.None);
        var recent = await store.RecentAsync(1, CancellationToken.None);

        Assert.Equal(report.Status, recent[0].Status);
        Assert.Equal(report.Checks.Keys.Order(), recent[0].Checks.Keys.Order());
    }
}
