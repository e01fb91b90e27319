using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using StreamFlow.Core.Diagnostics;
using StreamFlow.Core.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;

namespace StreamFlow.Functions.Hosting;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>Everything the functions need; the Functions host and the standalone host both call exactly this.</summary>
    public static IServiceCollection AddStreamFlowFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStreamFlowCore(configuration);
        services.AddStreamFlowActivities();
        services.AddSingleton(new HttpLimits(configuration.GetValue("Http:MaxJsonBodyBytes", HttpLimits.DefaultMaxJsonBodyBytes)));
        services.AddSingleton<IdempotentRequests>();
        services.AddSingleton<RequestPipeline>();
        services.AddSingleton<RequestBody>();
        services.AddSingleton<OperatorAuthenticator>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<ICallerAuthenticator>(provider => provider.GetRequiredService<ClientAuthenticator>());
        services.AddSingleton<ICallerAuthenticator, ProviderAuthenticator>();
        services.AddSingleton<ICallerAuthenticator, DeveloperAuthenticator>();
        services.AddSingleton<ICallerAuthenticator, FederationAuthenticator>();
        services.AddSingleton<AccessGate>();
        services.AddSingleton(FunctionCatalog.Load(typeof(FunctionsServiceCollectionExtensions).Assembly));
        services.AddSingleton<OpenApiDocumentBuilder>();
        services.AddSingleton<ApiReferencePage>();

        var telemetry = services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(StreamFlowTelemetry.Name, "Npgsql"))
            .WithMetrics(metrics => metrics.AddMeter(StreamFlowTelemetry.Name, "Npgsql"));
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }
}
