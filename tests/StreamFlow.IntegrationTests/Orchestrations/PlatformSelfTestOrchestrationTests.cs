using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Functions.Hosting;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Diagnostics;

namespace StreamFlow.IntegrationTests.Orchestrations;

[Collection(ServicesCollection.Name)]
public sealed class PlatformSelfTestOrchestrationTests(TestServices services)
{
    [Fact]
    public async Task Self_test_probes_blob_storage_and_postgres_around_a_durable_timer()
    {
        await using var host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<PlatformSelfTestOrchestrator>();
                registry.AddActivity(TaskNames.ProbeBlobStorage, provider => provider.GetRequiredService<ProbeBlobStorageActivity>());
                registry.AddActivity(TaskNames.ProbeDatabase, provider => provider.GetRequiredService<ProbeDatabaseActivity>());
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = collection => collection.AddLogging().AddStreamFlowFunctions(services.Configuration),
            });

        var instanceId = await host.Client.ScheduleNewOrchestrationInstanceAsync(
            nameof(PlatformSelfTestOrchestrator), new PlatformSelfTestInput("dev@example.test", PauseSeconds: 1));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        var report = metadata.ReadOutputAs<PlatformSelfTestReport>()!;

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.True(report.Succeeded);
        Assert.Equal([TaskNames.ProbeBlobStorage, TaskNames.ProbeDatabase], report.Probes.Select(p => p.Probe));
        Assert.True(report.FinishedAt - report.StartedAt >= TimeSpan.FromSeconds(1));
        Assert.StartsWith("streamflow_app on PostgreSQL", report.Probes[1].Detail, StringComparison.Ordinal);
    }
}
