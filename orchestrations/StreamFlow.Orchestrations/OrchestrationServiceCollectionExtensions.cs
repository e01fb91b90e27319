using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Orchestrations.Diagnostics;
using StreamFlow.Orchestrations.Webhooks;

namespace StreamFlow.Orchestrations;

public static class OrchestrationServiceCollectionExtensions
{
    /// <summary>Registers the activity classes so that trigger shims (and tests) can resolve them.</summary>
    public static IServiceCollection AddStreamFlowActivities(this IServiceCollection services)
    {
        services.AddTransient<ProbeBlobStorageActivity>();
        services.AddTransient<ProbeDatabaseActivity>();
        services.AddTransient<Scoring.ScoreLeadsActivity>();
        services.AddTransient<Scoring.MarkLeadScoringFailedActivity>();
        services.AddTransient<Scoring.ParseLeadImportActivity>();
        services.AddTransient<Scoring.ImportLeadChunkActivity>();
        services.AddTransient<Scoring.FinishLeadImportActivity>();
        services.AddTransient<Scoring.TrainConversionModelActivity>();
        services.AddTransient<SendWebhookAttemptActivity>();
        services.AddHostedService<WebhookOutboxListener>();
        return services;
    }
}
