using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StreamFlow.Core.Workflows;

public static class WorkflowsServiceCollectionExtensions
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkflowOptions>().Bind(configuration.GetSection(WorkflowOptions.Section));
        services.AddSingleton<WorkflowService>();
        services.AddSingleton<WorkflowRunner>();
        services.AddSingleton<WorkflowBatchStarter>();
        services.AddSingleton<WorkflowRunService>();
        return services;
    }
}
