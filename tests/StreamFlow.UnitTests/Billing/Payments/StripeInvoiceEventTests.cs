using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StreamFlow.Core.Billing.Stripe;
using StreamFlow.Core.Kernel;

namespace StreamFlow.UnitTests.Billing.Payments;

/// <summary>
/// Stripe-Signature as Stripe documents it: "t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(secret, t + "." + body)&gt;", any v1 may
/// match, 300 s tolerance. The expected signatures are computed here from that description, not by Stripe.net.
/// </summary>
public sealed class StripeInvoiceEventTests
{
    private const string Secret = "whsec_test_0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);
    private static readonly Guid TenantId = Guid.Parse("0193a0c4-1111-7000-8000-000000000001");
    private static readonly Guid InvoiceId = Guid.Parse("0193a0c4-2222-7000-8000-000000000002");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","object":"event","type":"invoice.paid","created":1764158400,"data":{"object":{"id":"in_1","object":"invoice"}}}""");

    [Fact]
    public void A_signature_made_with_the_endpoint_secret_verifies()
    {
        var read = Read(Body, $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), Body)}");

        Assert.True(read.Succeeded, read.Problem?.Detail);
        Assert.Equal(("evt_1", "invoice.paid", "in_1"), (read.Value.Id, read.Value.Type, read.Value.StripeInvoiceId));
    }

    [Fact]
    public void A_signature_made_with_another_secret_is_refused()
    {
        AssertRefused(Read(Body, $"t={Seconds(Now)},v1={Sign("whsec_someone_else", Seconds(Now), Body)}"));
    }

    [Fact]
    public void A_tampered_body_is_refused()
    {
        var header = $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), Body)}";
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("in_1", "in_2", StringComparison.Ordinal));

        AssertRefused(Read(tampered, header));
    }

    [Fact]
    public void A_timestamp_older_than_the_tolerance_is_refused()
    {
        var signedAt = Now.AddSeconds(-301);

        AssertRefused(Read(Body, $"t={Seconds(signedAt)},v1={Sign(Secret, Seconds(signedAt), Body)}"));
    }

    [Fact]
    public void A_timestamp_within_the_tolerance_verifies()
    {
        var signedAt = Now.AddSeconds(-299);

        Assert.True(Read(Body, $"t={Seconds(signedAt)},v1={Sign(Secret, Seconds(signedAt), Body)}").Succeeded);
    }

    [Fact]
    public void A_changed_timestamp_breaks_the_signature()
    {
        AssertRefused(Read(Body, $"t={Seconds(Now) + 1},v1={Sign(Secret, Seconds(Now), Body)}"));
    }

    [Fact]
    public void Any_of_several_v1_signatures_may_match_while_secrets_roll()
    {
        var t = Seconds(Now);

        Assert.True(Read(Body, $"t={t},v1={Sign("whsec_old_secret", t, Body)},v1={Sign(Secret, t, Body)},v0={Sign(Secret, t, Body)}").Succeeded);
    }

    [Fact]
    public void Only_v1_signatures_count()
    {
        var t = Seconds(Now);

        AssertRefused(Read(Body, $"t={t},v0={Sign(Secret, t, Body)}"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_missing_header_is_refused(string? header)
    {
        AssertRefused(Read(Body, header));
    }

    [Theory]
    [InlineData("v1=abc")]
    [InlineData("t=1764158400")]
    [InlineData("t=soon,v1=00")]
    [InlineData("garbage")]
    public void A_header_without_timestamp_or_signature_is_refused(string header)
    {
        AssertRefused(Read(Body, header));
    }

    [Fact]
    public void A_signed_payload_that_is_not_an_event_is_refused()
    {
        var payload = Encoding.UTF8.GetBytes("[1, 2");

        AssertRefused(Read(payload, $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), payload)}"));
    }

    [Theory]
    [InlineData("\"api_version\":\"2019-12-03\",")]
    [InlineData("\"api_version\":\"2025-03-31.basil\",")]
    [InlineData("")]
    public void An_event_of_another_api_version_is_read(string apiVersion)
    {
        var payload = InvoicePaid(apiVersion, """{"paid_at":1764158000}""", "");

        var read = Read(payload, $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), payload)}");

        Assert.True(read.Succeeded, read.Problem?.Detail);
        Assert.Equal((TenantId, InvoiceId), (read.Value.TenantId, read.Value.InvoiceId));
    }

    [Fact]
    public void The_typed_invoice_gives_our_ids_the_payment_and_the_times()
    {
        var payload = InvoicePaid("", """{"paid_at":1764158000}""",
            ""","attempt_count":2,"next_payment_attempt":1764244800,"payments":{"object":"list","data":[{"id":"inpay_1","object":"invoice_payment","status":"paid","payment":{"type":"payment_intent","payment_intent":"pi_1"}}]}""");

        var read = Read(payload, $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), payload)}");

        Assert.True(read.Succeeded, read.Problem?.Detail);
        var received = read.Value;
        Assert.Equal(("in_1", TenantId, InvoiceId, "pi_1", 2L), (received.StripeInvoiceId, received.TenantId, received.InvoiceId, received.PaymentReference, received.AttemptCount));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764158000), received.PaidAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764244800), received.NextPaymentAttempt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764158400), received.Created);
    }

    [Fact]
    public void An_unpaid_invoice_has_no_paid_time_and_no_payment()
    {
        var payload = InvoicePaid("", """{"paid_at":null}""", "");

        var received = Read(payload, $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), payload)}").Value!;

        Assert.Null(received.PaidAt);
        Assert.Null(received.PaymentReference);
    }

    [Theory]
    [InlineData("""{"id":"cus_1","object":"customer"}""")]
    [InlineData("""{"id":"thing_1","object":"a_new_kind_of_object"}""")]
    public void An_event_about_something_else_than_an_invoice_has_no_invoice(string dataObject)
    {
        var payload = Encoding.UTF8.GetBytes("""{"id":"evt_2","object":"event","type":"customer.created","created":1764158400,"data":{"object":""" + dataObject + "}}");

        var read = Read(payload, $"t={Seconds(Now)},v1={Sign(Secret, Seconds(Now), payload)}");

        Assert.True(read.Succeeded, read.Problem?.Detail);
        Assert.Equal(("evt_2", "customer.created"), (read.Value.Id, read.Value.Type));
        Assert.Null(read.Value.StripeInvoiceId);
        Assert.Null(read.Value.TenantId);
    }

    private static Result<StripeInvoiceEvent> Read(byte[] payload, string? header) =>
        StripeInvoiceEvent.Read(payload, header, Secret, Now, Tolerance);

    private static void AssertRefused(Result<StripeInvoiceEvent> read)
    {
        Assert.False(read.Succeeded);
        Assert.Equal(ProblemKind.Validation, read.Problem.Kind);
    }

    private static byte[] InvoicePaid(string apiVersion, string statusTransitions, string more) => Encoding.UTF8.GetBytes(
        $$"""{"id":"evt_1","object":"event",{{apiVersion}}"type":"invoice.paid","created":1764158400,"data":{"object":{"id":"in_1","object":"invoice","status":"paid","metadata":{"tenant_id":"{{TenantId}}","invoice_id":"{{InvoiceId}}"},"status_transitions":{{statusTransitions}}{{more}}""" + "}}}");

    private static long Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds();

    private static string Sign(string secret, long timestamp, byte[] body)
    {
        var signedPayload = timestamp.ToString(CultureInfo.InvariantCulture) + "." + Encoding.UTF8.GetString(body);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes(signedPayload)));
    }
}
