using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Connections;
using StreamFlow.Core.LeadSources.SamGov;
using StreamFlow.Core.LeadSources.WebForms;

namespace StreamFlow.Core.LeadSources;

public static class LeadSourcesServiceCollectionExtensions
{
    public static IServiceCollection AddLeadSources(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CaptchaOptions>().Bind(configuration.GetSection(CaptchaOptions.Section));
        services.AddOptions<SamGovOptions>().Bind(configuration.GetSection(SamGovOptions.Section));
        services.AddSingleton<SourceSecretProtector>();
        services.AddSingleton<CaptchaVerifier>();
        services.AddOptions<WebFormOptions>().Bind(configuration.GetSection(WebFormOptions.Section));
        services.AddSingleton<WebFormCache>();
        services.AddSingleton<WebFormService>();
        services.AddSingleton<WebFormLeadBatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebFormLeadBatcher>());
        services.AddSingleton<WebFormIntake>();
        services.AddConnections(configuration);
        services.AddSingleton<SourceLeadWriter>();
        services.AddSingleton<Attribution.AttributionService>();
        services.AddSingleton<SourceAttachments>();
        services.AddSingleton<SamGovClient>();
        services.AddSingleton<IConnector, SamGovConnector>();
        services.AddOptions<GoogleLsa.GoogleLsaOptions>().Bind(configuration.GetSection(GoogleLsa.GoogleLsaOptions.Section));
        services.AddSingleton<GoogleLsa.GoogleLsaClient>();
        services.AddSingleton<GoogleLsa.GoogleLsaConnector>();
        services.AddSingleton<GoogleLsa.GoogleLsaFeedbackQueue>();
        services.AddSingleton<IConnector>(provider => provider.GetRequiredService<GoogleLsa.GoogleLsaConnector>());
        services.AddSingleton<Connections.OAuth.IOAuthConnector>(provider => provider.GetRequiredService<GoogleLsa.GoogleLsaConnector>());
        return services;
    }
}
