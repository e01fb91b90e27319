using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace StreamFlow.IntegrationTests.Billing.Payments;

/// <summary>
/// A local Stripe API (WireMock) for the calls StreamFlow makes: customers, invoices, invoice items, finalize, send,
/// pay, void, credit notes. Stripe.net is pointed at it through its client's API base. It records every request Stripe.net sent,
/// with the form fields and the Idempotency-Key header, and can answer chosen calls with Stripe's error shape.
/// </summary>
internal sealed class FakeStripe : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly Dictionary<string, (int Status, string Type, string Code, bool Once)> _failures = [];

    public FakeStripe() => Setup();

    public string BaseUrl => _server.Url!;

    public string CustomerId { get; } = $"cus_{Guid.NewGuid():N}";

    public string InvoiceId { get; } = $"in_{Guid.NewGuid():N}";

    public string HostedInvoiceUrl => $"https://invoice.stripe.test/i/{InvoiceId}";

    /// <summary>Every request in the order Stripe.net sent it.</summary>
    public IReadOnlyList<StripeRequest> Requests =>
        _server.LogEntries.OrderBy(entry => entry.RequestMessage.DateTime).Select(entry => new StripeRequest(
            entry.RequestMessage.Method,
            entry.RequestMessage.Path,
            entry.RequestMessage.Headers?.FirstOrDefault(h => h.Key.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault(),
            ParseForm(entry.RequestMessage.Body ?? ""))).ToList();

    public IReadOnlyList<StripeRequest> Posts(string path) => Requests.Where(r => r.Method == "POST" && r.Path == path).ToList();

    /// <summary>The first call to <paramref name="path"/> fails with <paramref name="status"/>, later ones succeed.</summary>
    public FakeStripe FailsOnce(string path, int status, string type = "api_error", string code = "") => Fail(path, status, type, code, once: true);

    public FakeStripe AlwaysFails(string path, int status, string type, string code) => Fail(path, status, type, code, once: false);

    public void Dispose() => _server.Stop();

    private FakeStripe Fail(string path, int status, string type, string code, bool once)
    {
        _failures[path] = (status, type, code, once);
        Setup();
        return this;
    }

    private void Setup()
    {
        _server.ResetMappings();
        Post("/v1/customers", new { id = CustomerId, @object = "customer" });
        Post("/v1/invoices", Invoice("draft"));
        Post("/v1/invoiceitems", new { id = $"ii_{Guid.NewGuid():N}", @object = "invoiceitem" });
        Post($"/v1/invoices/{InvoiceId}/finalize", Invoice("open"));
        Post($"/v1/invoices/{InvoiceId}/send", Invoice("open"));
        Post($"/v1/invoices/{InvoiceId}/pay", Invoice("paid"));
        Post($"/v1/invoices/{InvoiceId}/void", Invoice("void"));
        Post("/v1/credit_notes", new { id = $"cn_{Guid.NewGuid():N}", @object = "credit_note", invoice = InvoiceId });
        _server.Given(Request.Create().WithPath($"/v1/invoices/{InvoiceId}").UsingGet()).RespondWith(Json(200, Invoice("open")));
    }

    private object Invoice(string status) => new
    {
        id = InvoiceId,
        @object = "invoice",
        status,
        customer = CustomerId,
        hosted_invoice_url = status == "draft" ? null : HostedInvoiceUrl,
    };

    private void Post(string path, object answer)
    {
        var request = Request.Create().WithPath(path).UsingPost();
        if (!_failures.TryGetValue(path, out var failure))
        {
            _server.Given(request).RespondWith(Json(200, answer));
            return;
        }

        var error = Json(failure.Status, new { error = new { type = failure.Type, code = failure.Code, message = $"Fake Stripe refused {path}.", param = (string?)null } });
        if (!failure.Once)
        {
            _server.Given(request).RespondWith(error);
            return;
        }

        var scenario = $"fail-once {path}";
        _server.Given(request).InScenario(scenario).WillSetStateTo("failed").RespondWith(error);
        _server.Given(request).InScenario(scenario).WhenStateIs("failed").RespondWith(Json(200, answer));
    }

    private static IResponseBuilder Json(int status, object body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(JsonSerializer.Serialize(body));

    private static Dictionary<string, string> ParseForm(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(
                pair => Uri.UnescapeDataString(pair[0].Replace('+', ' ')),
                pair => pair.Length > 1 ? Uri.UnescapeDataString(pair[1].Replace('+', ' ')) : "",
                StringComparer.Ordinal);
}

internal sealed record StripeRequest(string Method, string Path, string? IdempotencyKey, IReadOnlyDictionary<string, string> Form);
