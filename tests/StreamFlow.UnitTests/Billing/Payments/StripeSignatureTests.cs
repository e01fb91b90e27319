using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StreamFlow.Core.Billing.Stripe;

namespace StreamFlow.UnitTests.Billing.Payments;

/// <summary>
/// Stripe-Signature as Stripe documents it: "t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(secret, t + "." + body)&gt;", any v1 may
/// match, 300 s tolerance. The expected signatures are computed here from that description, not by the code under test.
/// </summary>
public sealed class StripeSignatureTests
{
    private const string Secret = "whsec_test_0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"invoice.paid","data":{"object":{"id":"in_1"}}}""");

    [Fact]
    public void A_signature_made_with_the_endpoint_secret_verifies()
    {
        var header = $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), Body)}";

        Assert.Equal(StripeSignatureCheck.Valid, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Fact]
    public void A_signature_made_with_another_secret_is_refused()
    {
        var header = $"t={Seconds(Now)},v1={Sign("whsec_someone_else", Seconds(Now), Body)}";

        Assert.Equal(StripeSignatureCheck.Mismatch, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Fact]
    public void A_tampered_body_is_refused()
    {
        var header = $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), Body)}";
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("in_1", "in_2", StringComparison.Ordinal));

        Assert.Equal(StripeSignatureCheck.Mismatch, StripeSignature.Verify(tampered, header, Secret, Now, Tolerance));
    }

    [Fact]
    public void A_timestamp_older_than_the_tolerance_is_refused()
    {
        var signedAt = Now.AddSeconds(-301);
        var header = $"t={Seconds(signedAt)},v1={Sign(Secret, Seconds(signedAt), Body)}";

        Assert.Equal(StripeSignatureCheck.Expired, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Fact]
    public void A_timestamp_within_the_tolerance_verifies()
    {
        var signedAt = Now.AddSeconds(-299);
        var header = $"t={Seconds(signedAt)},v1={Sign(Secret, Seconds(signedAt), Body)}";

        Assert.Equal(StripeSignatureCheck.Valid, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Fact]
    public void A_changed_timestamp_breaks_the_signature()
    {
        var header = $"t={Seconds(Now) + 1},v1={Sign(Secret, Seconds(Now), Body)}";

        Assert.Equal(StripeSignatureCheck.Mismatch, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Fact]
    public void Any_of_several_v1_signatures_may_match_while_secrets_roll()
    {
        var t = Seconds(Now);
        var header = $"t={t},v1={Sign("whsec_old_secret", t, Body)},v1={Sign(Secret, t, Body)},v0={Sign(Secret, t, Body)}";

        Assert.Equal(StripeSignatureCheck.Valid, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Fact]
    public void Only_v1_signatures_count()
    {
        var t = Seconds(Now);
        var header = $"t={t},v0={Sign(Secret, t, Body)}";

        Assert.Equal(StripeSignatureCheck.Malformed, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_missing_header_is_refused(string? header)
    {
        Assert.Equal(StripeSignatureCheck.Missing, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    [Theory]
    [InlineData("v1=abc")]
    [InlineData("t=1764158400")]
    [InlineData("t=soon,v1=00")]
    [InlineData("garbage")]
    public void A_header_without_timestamp_or_signature_is_refused(string header)
    {
        Assert.Equal(StripeSignatureCheck.Malformed, StripeSignature.Verify(Body, header, Secret, Now, Tolerance));
    }

    private static long Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds();

    private static string Sign(string secret, long timestamp, byte[] body)
    {
        var signedPayload = timestamp.ToString(CultureInfo.InvariantCulture) + "." + Encoding.UTF8.GetString(body);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes(signedPayload)));
    }
}
