using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Privacy;

public static class PrivacyServiceCollectionExtensions
{
    /// <summary>The key-encryption key (Key Vault when configured, else the local key ring), the tenants' keyring.</summary>
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.Section));
        services.TryAddKeyedSingleton<TokenCredential>(PrivacyOptions.Section, (provider, _) =>
            provider.GetRequiredService<IOptions<PrivacyOptions>>().Value.KeyVault.ManagedIdentityClientId is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned));
        services.TryAddSingleton<IKeyEncryptionKey>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PrivacyOptions>>().Value;
            return options.KeyVault.IsConfigured
                ? new AzureKeyVaultKek(
                    new HttpClient { Timeout = TimeSpan.FromSeconds(10) },
                    provider.GetRequiredKeyedService<TokenCredential>(PrivacyOptions.Section),
                    options.KeyVault)
                : LocalKeyRing.Load(options.LocalKeyRingPath);
        });
        services.AddSingleton<TenantKeyring>();
        services.AddSingleton<PersonalDataBackfill>();
        services.AddHostedService(provider => provider.GetRequiredService<PersonalDataBackfill>());
        services.AddSingleton<SubjectRequests.SubjectRequestService>();
        services.AddSingleton<Backups.IRestoredDataFilter, SubjectRequests.SuppressionListFilter>();
        services.AddSingleton<Retention.RetentionService>();
        services.AddSingleton<Rotation.KeyRotationService>();
        services.AddSingleton<Compliance.ComplianceEvidenceService>();
        services.AddSingleton<Detection.PersonalDataScanner>();
        services.AddSingleton<Exports.LeadExportService>();
        return services;
    }
}
