using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.LeadSources;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Connections;

public sealed class SecretBoxTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void A_sealed_secret_opens_only_with_the_same_associated_data()
    {
        var box = SecretBox.FromBase64Key(Key, "Test:Key");

        var sealedSecret = box.SealText("api-key-123", "tenant:connection");

        Assert.Equal("api-key-123", box.OpenText(sealedSecret, "tenant:connection"));
        Assert.ThrowsAny<CryptographicException>(() => box.OpenText(sealedSecret, "tenant:other"));
    }

    [Fact]
    public void A_derived_box_cannot_open_what_another_purpose_sealed()
    {
        var root = SecretBox.FromBase64Key(Key, "Test:Key");

        var sealedSecret = root.Derive("purpose.a").Seal("secret"u8, "ad"u8);

        Assert.ThrowsAny<CryptographicException>(() => root.Derive("purpose.b").Open(sealedSecret, "ad"u8));
        Assert.ThrowsAny<CryptographicException>(() => root.Open(sealedSecret, "ad"u8));
        Assert.Equal("secret", Encoding.UTF8.GetString(root.Derive("purpose.a").Open(sealedSecret, "ad"u8)));
    }

    [Fact]
    public void A_tampered_or_truncated_ciphertext_is_refused()
    {
        var box = SecretBox.FromBase64Key(Key, "Test:Key");
        var sealedSecret = box.SealText("secret", "ad");
        sealedSecret[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => box.OpenText(sealedSecret, "ad"));
        Assert.ThrowsAny<CryptographicException>(() => box.OpenText(sealedSecret[..10], "ad"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64!")]
    public void A_missing_short_or_garbled_key_is_a_configuration_error_naming_the_setting(string? key)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SecretBox.FromBase64Key(key, "Some:Setting"));

        Assert.Contains("Some:Setting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_credentials_and_web_form_secrets_under_the_same_key_do_not_open_each_other()
    {
        var options = Options.Create(new WebhookOptions { SecretEncryptionKey = Key });
        var connections = new ConnectionSecretProtector(options);
        var forms = new SourceSecretProtector(options);
        var webhooks = new WebhookSecretProtector(options);
        var (tenant, owner) = (Guid.NewGuid(), Guid.NewGuid());

        var credentials = connections.Protect(new Dictionary<string, string> { ["apiKey"] = "k" }, tenant, owner);

        Assert.Equal("k", connections.Unprotect(credentials, tenant, owner)["apiKey"]);
        Assert.ThrowsAny<CryptographicException>(() => forms.Unprotect(credentials, tenant, owner));
        Assert.ThrowsAny<CryptographicException>(() => webhooks.Unprotect(credentials, tenant, owner));
    }
}
