using System.Security.Cryptography;
using System.Text.Json;
using Azure.Core;
using StreamFlow.Core.Privacy;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using Request = WireMock.RequestBuilders.Request;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>
/// The Key Vault key-encryption key against a fake of the documented REST shape (POST {vault}/keys/{name}/{version}/
/// wrapkey|unwrapkey?api-version=7.4, JSON {"alg":"RSA-OAEP-256","value":base64url}, answer {"kid","value"}, errors
/// {"error":{"code","message"}}, bearer token for https://vault.azure.net). The fake wraps with a real RSA key.
/// </summary>
public sealed class AzureKeyVaultKekTests : IDisposable
{
    private readonly WireMockServer _vault = WireMockServer.Start();
    private readonly RSA _rsa = RSA.Create(2048);

    [Fact]
    public async Task A_data_key_is_wrapped_and_unwrapped_with_the_managed_identitys_token_and_rsa_oaep_256()
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = _rsa.Encrypt(dataKey, RSAEncryptionPadding.OaepSHA256);
        var kid = $"{_vault.Url}/keys/streamflow-kek/5c1f7d1e";
        Operation("wrapkey", dataKey, 200, JsonSerializer.Serialize(new { kid, value = B64(wrapped) }));
        Operation("unwrapkey", wrapped, 200, JsonSerializer.Serialize(new { kid, value = B64(dataKey) }));
        var kek = Kek(version: null);

        var result = await kek.WrapAsync(dataKey, default);

        Assert.Equal(kid, result.KekId);
        Assert.Equal(dataKey, _rsa.Decrypt(result.Value, RSAEncryptionPadding.OaepSHA256));
        Assert.Equal(dataKey, await kek.UnwrapAsync(result, default));
        Assert.All(_vault.LogEntries, call =>
        {
            Assert.Equal("Bearer test-managed-identity-token", call.RequestMessage.Headers!["Authorization"].Single());
            Assert.Equal("7.4", call.RequestMessage.Query!["api-version"].Single());
        });
    }

    [Fact]
    public async Task A_vault_that_refuses_the_identity_answers_a_clear_error_naming_the_permissions()
    {
        _vault.Given(Request.Create().WithPath("/keys/streamflow-kek/v1/wrapkey").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(403).WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"code":"Forbidden","message":"The user, group or application does not have keys wrapKey permission."}}"""));

        var error = await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => Kek("v1").WrapAsync(RandomNumberGenerator.GetBytes(32), default));

        Assert.Contains("403 Forbidden", error.Message, StringComparison.Ordinal);
        Assert.Contains("wrapKey and unwrapKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_id_of_another_vault_or_key_is_refused_without_sending_the_token()
    {
        var kek = Kek("v1");

        await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => kek.UnwrapAsync(new WrappedKey("https://evil.example.com/keys/streamflow-kek/v1", [1, 2, 3]), default));
        await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => kek.UnwrapAsync(new WrappedKey($"{_vault.Url}/keys/other-key/v1", [1, 2, 3]), default));
        await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => kek.UnwrapAsync(new WrappedKey($"{_vault.Url}/keys/streamflow-kek/v1/../../x", [1, 2, 3]), default));
        Assert.Empty(_vault.LogEntries);
    }

    [Fact]
    public void A_plain_http_vault_address_that_is_not_loopback_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new AzureKeyVaultKek(new HttpClient(), new FixedToken(),
            new KeyVaultKekOptions { VaultUrl = "http://vault.example.com", KeyName = "k" }));
    }

    public void Dispose()
    {
        _vault.Stop();
        _vault.Dispose();
        _rsa.Dispose();
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private AzureKeyVaultKek Kek(string? version) => new(new HttpClient(), new FixedToken(),
        new KeyVaultKekOptions { VaultUrl = _vault.Url, KeyName = "streamflow-kek", KeyVersion = version });

    private void Operation(string operation, byte[] expectedValue, int status, string answer) =>
        _vault.Given(Request.Create().WithPath(new RegexMatcher($"^/keys/streamflow-kek/[^/]*/?{operation}$")).UsingPost()
                .WithParam("api-version", "7.4")
                .WithBody(new JsonPartialMatcher(JsonSerializer.Serialize(new { alg = "RSA-OAEP-256", value = B64(expectedValue) }))))
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(answer));

    private sealed class FixedToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            requestContext.Scopes.SequenceEqual(["https://vault.azure.net/.default"])
                ? new AccessToken("test-managed-identity-token", DateTimeOffset.UtcNow.AddHours(1))
                : throw new InvalidOperationException("unexpected scope");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }
}
