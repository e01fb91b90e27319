using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StreamFlow.Core.Reports;

public static class ReportsServiceCollectionExtensions
{
    /// <summary>Reports: numbers, rendering, archive, delivery, subscriptions and the provider's cross-client report.</summary>
    public static IServiceCollection AddReports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(ReportsOptions.Section).Get<ReportsOptions>() ?? new ReportsOptions());
        // Seams: the AI usage ledger and the webhooks outbox register their own implementations (TryAdd keeps theirs).
        services.TryAddSingleton<IAiSpendReader, UnavailableAiSpendReader>();
        services.TryAddSingleton<IReportEvents, NoReportEvents>();
        services.TryAddSingleton<IConnectionHealthReader, NoConnectionHealthReader>();
        services.AddSingleton<ReportGenerator>();
        services.AddSingleton<Insights.InsightService>();
        services.AddSingleton<ReportRenderer>();
        services.AddSingleton<ReportArchive>();
        services.AddSingleton<ReportDeliveryService>();
        services.AddSingleton<ReportSubscriptionService>();
        services.AddSingleton<ProviderReportService>();
        return services;
    }
}
