using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StreamFlow.Core.Tasks;

public static class TasksServiceCollectionExtensions
{
    public static IServiceCollection AddTasks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TaskOptions>().Bind(configuration.GetSection(TaskOptions.Section));
        services.AddSingleton<TaskService>();
        services.AddSingleton<TaskReminderService>();
        return services;
    }
}
