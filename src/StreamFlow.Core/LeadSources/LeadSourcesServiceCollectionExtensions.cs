using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.LeadSources.WebForms;

namespace StreamFlow.Core.LeadSources;

public static class LeadSourcesServiceCollectionExtensions
{
    public static IServiceCollection AddLeadSources(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CaptchaOptions>().Bind(configuration.GetSection(CaptchaOptions.Section));
        services.AddSingleton<SourceSecretProtector>();
        services.AddSingleton<CaptchaVerifier>();
        services.AddSingleton<WebFormService>();
        services.AddSingleton<WebFormIntake>();
        return services;
    }
}
