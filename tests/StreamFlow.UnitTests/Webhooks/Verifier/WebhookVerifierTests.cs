using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Webhooks;
using StreamFlow.Webhooks;

namespace StreamFlow.UnitTests.Webhooks.Verifier;

public sealed class WebhookVerifierTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string MessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = """{"test": 2432232314}""";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(Timestamp));

    [Fact]
    public void The_specification_vector_verifies()
    {
        var result = new WebhookVerifier(Secret, _clock).Verify(MessageId, Stamp(Timestamp), SpecSignature, Body);

        Assert.Equal(WebhookVerificationResult.Verified, result);
    }

    [Fact]
    public void A_signature_made_with_another_secret_is_rejected()
    {
        var result = new WebhookVerifier(WebhookSignature.GenerateSecret(), _clock).Verify(MessageId, Stamp(Timestamp), SpecSignature, Body);

        Assert.Equal(WebhookVerificationResult.InvalidSignature, result);
    }

    [Fact]
    public void A_changed_body_is_rejected()
    {
        var result = new WebhookVerifier(Secret, _clock).Verify(MessageId, Stamp(Timestamp), SpecSignature, """{"test": 2432232315}""");

        Assert.Equal(WebhookVerificationResult.InvalidSignature, result);
    }

    [Fact]
    public void A_timestamp_more_than_five_minutes_old_is_rejected_even_with_a_valid_signature()
    {
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var result = new WebhookVerifier(Secret, _clock).Verify(MessageId, Stamp(Timestamp), SpecSignature, Body);

        Assert.Equal(WebhookVerificationResult.TimestampTooOld, result);
    }

    [Fact]
    public void A_timestamp_more_than_five_minutes_in_the_future_is_rejected()
    {
        var future = Timestamp + 301;
        var signature = WebhookSignature.Sign(WebhookSignature.TryDecodeSecret(Secret)!, MessageId, future, Encoding.UTF8.GetBytes(Body));

        var result = new WebhookVerifier(Secret, _clock).Verify(MessageId, Stamp(future), signature, Body);

        Assert.Equal(WebhookVerificationResult.TimestampTooNew, result);
    }

    [Fact]
    public void A_timestamp_within_five_minutes_either_way_is_accepted()
    {
        _clock.Advance(TimeSpan.FromMinutes(5));

        var result = new WebhookVerifier(Secret, _clock).Verify(MessageId, Stamp(Timestamp), SpecSignature, Body);

        Assert.Equal(WebhookVerificationResult.Verified, result);
    }

    [Fact]
    public void During_rotation_a_receiver_still_on_the_old_secret_accepts_the_two_signature_header()
    {
        var newSecret = WebhookSignature.GenerateSecret();
        var header = WebhookSignature.SignatureHeader(
            [WebhookSignature.TryDecodeSecret(newSecret)!, WebhookSignature.TryDecodeSecret(Secret)!], MessageId, Timestamp, Encoding.UTF8.GetBytes(Body));

        Assert.Equal(WebhookVerificationResult.Verified, new WebhookVerifier(Secret, _clock).Verify(MessageId, Stamp(Timestamp), header, Body));
        Assert.Equal(WebhookVerificationResult.Verified, new WebhookVerifier(newSecret, _clock).Verify(MessageId, Stamp(Timestamp), header, Body));
    }

    [Fact]
    public void A_receiver_may_hold_several_secrets_and_accepts_a_signature_from_any()
    {
        var verifier = new WebhookVerifier([WebhookSignature.GenerateSecret(), Secret], _clock);

        Assert.Equal(WebhookVerificationResult.Verified, verifier.Verify(MessageId, Stamp(Timestamp), SpecSignature, Body));
    }

    [Theory]
    [InlineData(null, "1614265330", SpecSignature, WebhookVerificationResult.MissingHeaders)]
    [InlineData(MessageId, null, SpecSignature, WebhookVerificationResult.MissingHeaders)]
    [InlineData(MessageId, "1614265330", "", WebhookVerificationResult.MissingHeaders)]
    [InlineData(MessageId, "yesterday", SpecSignature, WebhookVerificationResult.InvalidTimestamp)]
    [InlineData(MessageId, "1614265330", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookVerificationResult.InvalidSignature)]
    [InlineData(MessageId, "1614265330", "v1,not-base64", WebhookVerificationResult.InvalidSignature)]
    [InlineData("msg_other", "1614265330", SpecSignature, WebhookVerificationResult.InvalidSignature)]
    public void Incomplete_or_malformed_headers_are_rejected(string? id, string? timestamp, string signature, WebhookVerificationResult expected)
    {
        Assert.Equal(expected, new WebhookVerifier(Secret, _clock).Verify(id, timestamp, signature, Body));
    }

    private static string Stamp(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);
}
