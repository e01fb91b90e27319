using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace StreamFlow.Core.Storage;

/// <summary>
/// Reads storage settings the way the Functions host does: a connection string in <c>AzureWebJobsStorage</c>
/// (Azurite locally), or identity-based <c>AzureWebJobsStorage__accountName</c> (+ <c>__clientId</c>) in Azure.
/// </summary>
internal static class BlobServiceClientFactory
{
    public const string SettingName = "AzureWebJobsStorage";

    public static BlobServiceClient Create(IConfiguration configuration)
    {
        var connectionString = configuration[SettingName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new BlobServiceClient(connectionString);
        }

        var accountName = configuration[$"{SettingName}:accountName"];
        if (string.IsNullOrWhiteSpace(accountName))
        {
            throw new InvalidOperationException($"Set {SettingName} (a connection string) or {SettingName}__accountName.");
        }

        var clientId = configuration[$"{SettingName}:clientId"];
        var credential = string.IsNullOrWhiteSpace(clientId)
            ? new DefaultAzureCredential()
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        return new BlobServiceClient(new Uri($"https://{accountName}.blob.core.windows.net"), credential);
    }
}
