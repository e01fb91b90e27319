using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StreamFlow.Core.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>Registers outgoing webhooks: endpoints, outbox, dispatcher, the safe sender, attempts, replay and the log.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookSecretProtector>();
        services.AddSingleton<WebhookHttpSender>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookEndpointService>();
        services.AddSingleton<WebhookSettingsService>();
        services.AddSingleton<WebhookAttemptService>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookReplayService>();
        services.AddSingleton<WebhookLogService>();
        // Email comes later; until then admins are told through the log (and the tenant's webhook events).
        services.TryAddSingleton<IWebhookAdminNotifier, LoggingWebhookAdminNotifier>();
        return services;
    }
}
