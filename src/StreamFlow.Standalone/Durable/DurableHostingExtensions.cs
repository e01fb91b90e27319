using DurableTask.AzureStorage;
using Grpc.Net.Client;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using StreamFlow.Core.Json;
using StreamFlow.Functions.Hosting;
using DurableCore = DurableTask.Core;

namespace StreamFlow.Standalone.Durable;

/// <summary>
/// Durable Functions without the Functions host: a gRPC sidecar over a DurableTask.Core backend (the Azure Storage
/// provider Durable Functions uses, or in-memory), and the Durable Task SDK worker and client connected to it.
/// </summary>
internal static class DurableHostingExtensions
{
    public static IServiceCollection AddStandaloneDurable(this IServiceCollection services, IConfiguration configuration, FunctionCatalog catalog)
    {
        var options = configuration.GetSection(DurableOptions.Section).Get<DurableOptions>() ?? new DurableOptions();
        services.AddSingleton(options);
        services.AddSingleton(provider => CreateBackend(provider, options, configuration));
        services.AddSingleton(provider => (DurableCore.IOrchestrationServiceClient)provider.GetRequiredService<DurableCore.IOrchestrationService>());
        services.AddGrpc();
        services.AddSingleton<TaskHubGrpcServer>();

        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{options.SidecarPort}");
        // The API's JSON shape for orchestration inputs, outputs and status too (the Functions host is set the same way).
        var converter = new JsonDataConverter(StreamFlowJson.Options);
        services.Configure<DurableTaskClientOptions>(client => client.DataConverter = converter);
        services.Configure<DurableTaskWorkerOptions>(worker => worker.DataConverter = converter);
        services.AddDurableTaskClient(client => client.UseGrpc(channel));
        services.AddDurableTaskWorker(worker =>
        {
            worker.AddTasks(registry =>
            {
                foreach (var orchestrator in catalog.Orchestrators)
                {
                    registry.AddOrchestrator(orchestrator.Name, () => new FunctionOrchestrator(orchestrator));
                }

                foreach (var activity in catalog.Activities)
                {
                    registry.AddActivity(activity.Name, provider => new FunctionActivity(activity, provider));
                }
            });
            worker.UseGrpc(channel);
        });
        return services;
    }

    private static DurableCore.IOrchestrationService CreateBackend(IServiceProvider provider, DurableOptions options, IConfiguration configuration)
    {
        var loggerFactory = provider.GetRequiredService<ILoggerFactory>();
        if (options.UsesInMemoryBackend)
        {
            return new InMemoryOrchestrationService(loggerFactory);
        }

        var connectionString = configuration["AzureWebJobsStorage"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("AzureWebJobsStorage must be a connection string for the standalone durable backend.");
        }

        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            LoggerFactory = loggerFactory,
            PartitionCount = 4,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
        };
        return new AzureStorageOrchestrationService(settings);
    }
}
