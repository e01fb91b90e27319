using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace StreamFlow.Core.Leads.Import;

public static class LeadImportServiceCollectionExtensions
{
    public static IServiceCollection AddLeadImport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<LeadCsvReader>();
        return services;
    }
}
