using System.Text;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecMessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecBody = """{"test": 2432232314}""";

    [Fact]
    public void Signature_matches_the_standard_webhooks_test_vector()
    {
        var key = WebhookSignature.TryDecodeSecret(SpecSecret)!;

        var signature = WebhookSignature.Sign(key, SpecMessageId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecBody));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Generated_secret_is_whsec_and_base64_of_32_random_bytes()
    {
        var secret = WebhookSignature.GenerateSecret();

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, WebhookSignature.GenerateSecret());
    }

    [Fact]
    public void During_rotation_the_header_carries_one_signature_per_secret_separated_by_a_space()
    {
        var body = Encoding.UTF8.GetBytes(SpecBody);
        var current = WebhookSignature.TryDecodeSecret(WebhookSignature.GenerateSecret())!;
        var previous = WebhookSignature.TryDecodeSecret(SpecSecret)!;

        var header = WebhookSignature.SignatureHeader([current, previous], SpecMessageId, SpecTimestamp, body);

        Assert.Equal(
            [WebhookSignature.Sign(current, SpecMessageId, SpecTimestamp, body), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
            header.Split(' '));
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    public void A_secret_that_is_not_base64_is_not_a_key(string secret)
    {
        Assert.Null(WebhookSignature.TryDecodeSecret(secret));
    }
}
