using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Connections.OAuth;

namespace StreamFlow.Core.Connections;

public static class ConnectionsServiceCollectionExtensions
{
    /// <summary>The connection machinery; each kind's <see cref="IConnector"/> is registered by its own feature.</summary>
    public static IServiceCollection AddConnections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConnectionOptions>().Bind(configuration.GetSection(ConnectionOptions.Section));
        services.AddSingleton<ConnectionSecretProtector>();
        services.AddSingleton<ConnectionService>();
        services.AddSingleton<ConnectorRecords>();
        services.AddSingleton<OAuthTokenClient>();
        services.AddSingleton<OAuthTokenKeeper>();
        services.AddSingleton<OAuthAuthorizationService>();
        return services;
    }
}
