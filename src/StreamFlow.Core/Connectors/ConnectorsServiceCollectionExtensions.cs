using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;
using StreamFlow.Core.Connectors.Adp;
using StreamFlow.Core.Connectors.Health;
using StreamFlow.Core.Connectors.QuickBooks;
using StreamFlow.Core.Connectors.ServiceTitan;

namespace StreamFlow.Core.Connectors;

public static class ConnectorsServiceCollectionExtensions
{
    /// <summary>The back-office connectors (docs/connectors.md): more kinds for the connection machinery that AddLeadSources registers.</summary>
    public static IServiceCollection AddConnectors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QuickBooksOptions>().Bind(configuration.GetSection(QuickBooksOptions.Section));
        services.AddSingleton<QuickBooksClient>();
        services.AddSingleton<QuickBooksConnector>();
        services.AddSingleton<IConnector>(provider => provider.GetRequiredService<QuickBooksConnector>());
        services.AddSingleton<IOAuthConnector>(provider => provider.GetRequiredService<QuickBooksConnector>());
        services.AddSingleton<QuickBooksNotifications>();
        services.AddOptions<ServiceTitanOptions>().Bind(configuration.GetSection(ServiceTitanOptions.Section));
        services.AddSingleton<ServiceTitanClient>();
        services.AddSingleton<IConnector, ServiceTitanConnector>();
        services.AddOptions<AdpOptions>().Bind(configuration.GetSection(AdpOptions.Section));
        services.AddSingleton<AdpClient>();
        services.AddSingleton<IConnector, AdpConnector>();
        services.AddSingleton<AdpPayroll>();
        services.AddOptions<ConnectorHealthOptions>().Bind(configuration.GetSection(ConnectorHealthOptions.Section));
        services.AddSingleton<ConnectorHealth>();
        // The owner's report shows each connection's health (replaces the Reports default, whichever registers first).
        services.RemoveAll<Reports.IConnectionHealthReader>();
        services.AddSingleton<Reports.IConnectionHealthReader, ConnectorHealthReportReader>();
        return services;
    }
}
