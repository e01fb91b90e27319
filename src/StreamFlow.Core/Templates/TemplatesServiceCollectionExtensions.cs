using Microsoft.Extensions.DependencyInjection;

namespace StreamFlow.Core.Templates;

public static class TemplatesServiceCollectionExtensions
{
    public static IServiceCollection AddIndustryTemplates(this IServiceCollection services)
    {
        services.AddSingleton<TemplateService>();
        return services;
    }
}
