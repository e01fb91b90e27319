using Microsoft.Extensions.Configuration;

namespace StreamFlow.Core.Identity.Systems;

/// <summary>One operator system's credentials and token key, read from the environment (Key Vault in Azure).</summary>
public sealed record OperatorAccount(
    OperatorSystem System,
    string? Email,
    string? Password,
    string? TotpSecret,
    byte[]? SigningKey)
{
    public const int MinimumSigningKeyBytes = 32;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Email) && !string.IsNullOrEmpty(Password)
        && SigningKey is { Length: >= MinimumSigningKeyBytes };

    public string Issuer => System == OperatorSystem.Provider ? "streamflow-provider" : "streamflow-developer";

    public string Audience => System == OperatorSystem.Provider ? "streamflow-provider-api" : "streamflow-developer-api";

    public string TokenType => System == OperatorSystem.Provider ? "provider+jwt" : "developer+jwt";

    public static OperatorAccount FromConfiguration(IConfiguration configuration, OperatorSystem system)
    {
        var prefix = system == OperatorSystem.Provider ? "STREAMFLOW_PROVIDER_" : "STREAMFLOW_DEV_";
        var keySetting = system == OperatorSystem.Provider ? "Jwt:ProviderSigningKey" : "Jwt:DeveloperSigningKey";
        return new OperatorAccount(
            system,
            configuration[prefix + "EMAIL"],
            configuration[prefix + "PASSWORD"],
            configuration[prefix + "TOTP_SECRET"],
            DecodeKey(configuration[keySetting]));
    }

    private static byte[]? DecodeKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

public sealed class OperatorAuthOptions
{
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
