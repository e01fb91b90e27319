using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Billing.Stripe;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Billing;

/// <summary>Stripe's calls to us. Anonymous: the Stripe-Signature over the raw body, verified by Stripe.net, is the authentication.</summary>
public sealed class StripeWebhookFunctions(RequestBody body, StripeWebhookService webhooks)
{
    [Function("ReceiveStripeWebhook")]
    [AnonymousAccess("Stripe signs the payload; the signature is checked instead of a bearer token.")]
    [ApiOperation("Receives Stripe events (invoice.paid, invoice.payment_succeeded, invoice.payment_failed, invoice.marked_uncollectible, invoice.voided) signed with Stripe-Signature; 400 when the signature does not verify, 200 for events already handled or not handled here.",
        Tag = "Billing", Response = typeof(StripeWebhookOutcome), Problems = [503])]
    public async Task<IResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/stripe/webhook")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var payload = await body.ReadBytesAsync(request, cancellationToken);
        if (!payload.Succeeded)
        {
            return ApiResults.Problem(payload.Problem, request.HttpContext);
        }

        var outcome = await webhooks.HandleAsync(payload.Value, request.Headers[StripeWebhookService.SignatureHeader].ToString(), cancellationToken);
        return ApiResults.From(outcome, handled => ApiResults.Json(handled), request);
    }
}
