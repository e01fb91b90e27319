using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Ai;

public static class AiServiceCollectionExtensions
{
    /// <summary>
    /// The AI gateway, budgets and usage ledger. Replace <see cref="IAiBudgetAlertSink"/> to deliver budget warnings, and
    /// the <see cref="TokenCredential"/> keyed <see cref="AiOptions.Section"/> to sign in to Azure OpenAI otherwise.
    /// </summary>
    public static IServiceCollection AddAi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AiOptions>().Bind(configuration.GetSection(AiOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiOptions>, AiOptionsValidator>());
        services.TryAddSingleton<IAiBudgetAlertSink, LoggingAiBudgetAlertSink>();
        services.TryAddKeyedSingleton<TokenCredential>(AiOptions.Section, (provider, _) => ManagedIdentity(
            provider.GetRequiredService<IOptions<AiOptions>>().Value.ManagedIdentityClientId));

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

    // Without a client id DefaultAzureCredential still reads AZURE_CLIENT_ID, which the Bicep sets to the app's identity.
    private static DefaultAzureCredential ManagedIdentity(string? clientId) => string.IsNullOrWhiteSpace(clientId)
        ? new DefaultAzureCredential()
        : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
}
