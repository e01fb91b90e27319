using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StreamFlow.Core.Rfps;

public static class RfpServiceCollectionExtensions
{
    public static IServiceCollection AddRfps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RfpAiAssessor>();
        services.AddSingleton<RfpService>();
        return services;
    }
}
