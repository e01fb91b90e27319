using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Ai;

/// <summary>The configured deployments in routing order: the primary first, then the fallbacks.</summary>
internal sealed class AiUpstreams
{
    public AiUpstreams(
        IOptions<AiOptions> options,
        [FromKeyedServices(AiOptions.Section)] TokenCredential azureCredential,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        var settings = options.Value;
        var logger = loggerFactory.CreateLogger<AiUpstreams>();
        var byName = settings.Deployments.ToDictionary(
            deployment => deployment.Name,
            deployment => new AiUpstream(deployment, settings.Resilience, azureCredential, timeProvider, logger),
            StringComparer.OrdinalIgnoreCase);
        Route = RouteNames(settings).Select(name => byName[name]).ToList();
    }

    /// <summary>Empty when AI is not configured.</summary>
    public IReadOnlyList<AiUpstream> Route { get; }

    internal static IEnumerable<string> RouteNames(AiOptions options)
    {
        if (options.Deployments.Count == 0)
        {
            return [];
        }

        var primary = string.IsNullOrWhiteSpace(options.PrimaryDeployment) ? options.Deployments[0].Name : options.PrimaryDeployment;
        return new[] { primary }.Concat(options.FallbackDeployments).Distinct(StringComparer.OrdinalIgnoreCase);
    }
}
