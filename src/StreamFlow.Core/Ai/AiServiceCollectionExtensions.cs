using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Ai;

public static class AiServiceCollectionExtensions
{
    /// <summary>The AI gateway, budgets and usage ledger. Replace <see cref="IAiBudgetAlertSink"/> to deliver budget warnings.</summary>
    public static IServiceCollection AddAi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AiOptions>().Bind(configuration.GetSection(AiOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiOptions>, AiOptionsValidator>());
        services.TryAddSingleton<IAiBudgetAlertSink, LoggingAiBudgetAlertSink>();

        services.AddSingleton(provider => new AiPriceTable(provider.GetRequiredService<IOptions<AiOptions>>().Value.Prices));
        services.AddSingleton(provider => new AiTokenEstimator(provider.GetRequiredService<IOptions<AiOptions>>().Value.Budget.PromptTokenSafetyFactor));
        services.AddSingleton<AiUpstreams>();
        services.AddSingleton(provider => new AiGateway(
            provider.GetRequiredService<StreamFlowDatabase>(),
            provider.GetRequiredService<AiUpstreams>(),
            provider.GetRequiredService<AiPriceTable>(),
            provider.GetRequiredService<AiTokenEstimator>(),
            provider.GetRequiredService<IAiBudgetAlertSink>(),
            provider.GetRequiredService<IOptions<AiOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<AiGateway>>()));
        services.AddSingleton(provider => new AiBudgetService(
            provider.GetRequiredService<StreamFlowDatabase>(),
            provider.GetRequiredService<IOptions<AiOptions>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new AiUsageService(provider.GetRequiredService<StreamFlowDatabase>()));
        return services;
    }
}
