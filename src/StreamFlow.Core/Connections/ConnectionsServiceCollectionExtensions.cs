using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StreamFlow.Core.Connections;

public static class ConnectionsServiceCollectionExtensions
{
    /// <summary>The connection machinery; each kind's <see cref="IConnector"/> is registered by its own feature.</summary>
    public static IServiceCollection AddConnections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConnectionOptions>().Bind(configuration.GetSection(ConnectionOptions.Section));
        services.AddSingleton<ConnectionSecretProtector>();
        services.AddSingleton<ConnectionService>();
        return services;
    }
}
