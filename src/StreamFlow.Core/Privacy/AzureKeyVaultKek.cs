using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Azure.Core;

namespace StreamFlow.Core.Privacy;

/// <summary>
/// The key-encryption key in Azure Key Vault, through its REST shape: <c>POST {vault}/keys/{name}/{version}/wrapkey</c>
/// and <c>/unwrapkey</c> (api-version 7.4, RSA-OAEP-256, base64url values) with a bearer token of the app's managed
/// identity for https://vault.azure.net. The identity needs only wrapKey and unwrapKey on that key (infra/). Wrapped keys
/// carry the key id (kid) Key Vault answered, so a key wrapped before a KEK rotation unwraps with its own version.
/// </summary>
public sealed class AzureKeyVaultKek : IKeyEncryptionKey
{
    private const string ApiVersion = "7.4";
    private const string Algorithm = "RSA-OAEP-256";
    private static readonly string[] Scopes = ["https://vault.azure.net/.default"];

    private readonly HttpClient _http;
    private readonly TokenCredential _credential;
    private readonly string _keyBase;
    private readonly string? _version;

    public AzureKeyVaultKek(HttpClient http, TokenCredential credential, KeyVaultKekOptions options)
    {
        if (!options.IsConfigured || !Uri.TryCreate(options.VaultUrl, UriKind.Absolute, out var vault)
            || !(vault.Scheme == Uri.UriSchemeHttps || (vault.Scheme == Uri.UriSchemeHttp && vault.IsLoopback))
            || !string.IsNullOrEmpty(vault.Query) || vault.AbsolutePath != "/")
        {
            throw new InvalidOperationException("Privacy:KeyVault:VaultUrl must be the vault's https base address (https://<name>.vault.azure.net) and Privacy:KeyVault:KeyName set.");
        }

        _http = http;
        _credential = credential;
        _keyBase = $"{vault.GetLeftPart(UriPartial.Authority)}/keys/{Uri.EscapeDataString(options.KeyName!)}/";
        _version = string.IsNullOrWhiteSpace(options.KeyVersion) ? null : options.KeyVersion.Trim();
        CurrentKeyId = _keyBase + (_version ?? "");
    }

    public string CurrentKeyId { get; }

    public async Task<WrappedKey> WrapAsync(byte[] key, CancellationToken cancellationToken)
    {
        var result = await SendAsync(CurrentKeyId, "wrapkey", key, cancellationToken);
        // Key Vault answers the full kid (with the version it used even when none was asked for): that is what unwraps.
        var kid = result.Kid is { } answered && answered.StartsWith(_keyBase, StringComparison.OrdinalIgnoreCase) && answered.Length > _keyBase.Length
            ? answered
            : CurrentKeyId;
        return new WrappedKey(kid, result.Bytes);
    }

    public async Task<byte[]> UnwrapAsync(WrappedKey wrapped, CancellationToken cancellationToken)
    {
        // Only this vault and key: a kid from the database never sends our token elsewhere.
        if (!wrapped.KekId.StartsWith(_keyBase, StringComparison.OrdinalIgnoreCase) || wrapped.KekId.Length == _keyBase.Length
            || wrapped.KekId.AsSpan(_keyBase.Length).IndexOfAny('/', '?', '#') >= 0)
        {
            throw new PersonalDataUnavailableException($"The key-encryption key '{wrapped.KekId}' is not the configured Key Vault key.");
        }

        return (await SendAsync(wrapped.KekId, "unwrapkey", wrapped.Value, cancellationToken)).Bytes;
    }

    private async Task<(string? Kid, byte[] Bytes)> SendAsync(string keyId, string operation, byte[] value, CancellationToken cancellationToken)
    {
        AccessToken token;
        try
        {
            token = await _credential.GetTokenAsync(new TokenRequestContext(Scopes), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new PersonalDataUnavailableException("No managed identity token for Azure Key Vault: the data keys cannot be wrapped or unwrapped.", exception);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{keyId.TrimEnd('/')}/{operation}?api-version={ApiVersion}")
        {
            Content = JsonContent.Create(new KeyOperationRequest(Algorithm, Base64Url.Encode(value))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new PersonalDataUnavailableException($"Azure Key Vault is unreachable ({operation}).", exception);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var error = await ReadErrorCodeAsync(response, cancellationToken);
                throw new PersonalDataUnavailableException(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? $"Azure Key Vault refused {operation} ({(int)response.StatusCode} {error}): the app's identity needs the wrapKey and unwrapKey permissions on the key."
                    : $"Azure Key Vault answered {(int)response.StatusCode} {error} to {operation}.");
            }

            var result = await response.Content.ReadFromJsonAsync<KeyOperationResult>(cancellationToken);
            return result?.Value is { Length: > 0 } encoded && Base64Url.TryDecode(encoded) is { } bytes
                ? (result.Kid, bytes)
                : throw new PersonalDataUnavailableException($"Azure Key Vault's answer to {operation} has no value.");
        }
    }

    private static async Task<string> ReadErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<KeyVaultErrorBody>(cancellationToken))?.Error?.Code ?? "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }

    private sealed record KeyOperationRequest([property: JsonPropertyName("alg")] string Alg, [property: JsonPropertyName("value")] string Value);

    private sealed record KeyOperationResult([property: JsonPropertyName("kid")] string? Kid, [property: JsonPropertyName("value")] string? Value);

    private sealed record KeyVaultErrorBody([property: JsonPropertyName("error")] KeyVaultError? Error);

    private sealed record KeyVaultError([property: JsonPropertyName("code")] string? Code);
}

internal static class Base64Url
{
    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[]? TryDecode(string encoded)
    {
        var padded = encoded.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        var buffer = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
    }
}
