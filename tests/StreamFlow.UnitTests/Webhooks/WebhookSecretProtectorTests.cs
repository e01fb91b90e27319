using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class WebhookSecretProtectorTests
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly Guid Endpoint = Guid.NewGuid();

    private readonly WebhookSecretProtector _protector = Protector(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    [Fact]
    public void A_secret_round_trips_and_is_not_stored_in_clear()
    {
        var secret = WebhookSignature.GenerateSecret();

        var stored = _protector.Protect(secret, Tenant, Endpoint);

        Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(secret, _protector.Unprotect(stored, Tenant, Endpoint));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_endpoint_does_not_decrypt()
    {
        var stored = _protector.Protect(WebhookSignature.GenerateSecret(), Tenant, Endpoint);

        Assert.ThrowsAny<CryptographicException>(() => _protector.Unprotect(stored, Tenant, Guid.NewGuid()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    public void A_missing_or_short_key_is_a_configuration_error(string key)
    {
        var protector = Protector(key);

        var error = Assert.Throws<InvalidOperationException>(() => protector.Protect("whsec_x", Tenant, Endpoint));
        Assert.Contains("Webhooks:SecretEncryptionKey", error.Message, StringComparison.Ordinal);
    }

    private static WebhookSecretProtector Protector(string key) => new(Options.Create(new WebhookOptions { SecretEncryptionKey = key }));
}
