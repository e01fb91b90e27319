using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Federation.Members;
using StreamFlow.Core.Federation.Signatures;

namespace StreamFlow.Core.Federation;

public static class FederationServiceCollectionExtensions
{
    /// <summary>Registers federation: peer keys, signed-request verification with a shared nonce ledger, client summaries.</summary>
    public static IServiceCollection AddFederation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FederationOptions>().Bind(configuration.GetSection(FederationOptions.Section));
        services.AddSingleton<FederationSecretProtector>();
        services.AddSingleton<FederationKeyService>();
        services.AddSingleton<FederationSummaryService>();
        services.AddSingleton<FederationNonceLedger>();
        services.AddSingleton<IFederationKeyRing, FederationKeyRing>();
        services.AddSingleton<INonceLedger>(provider => provider.GetRequiredService<FederationNonceLedger>());
        services.AddSingleton<HttpMessageVerifier>();
        services.AddSingleton<FederationMemberClient>();
        services.AddSingleton<FederationMemberService>();
        return services;
    }
}
