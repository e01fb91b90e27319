using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class WebhookEndpointValidationTests
{
    [Fact]
    public void A_valid_request_has_no_errors()
    {
        var errors = Validate(new CreateWebhookEndpoint(
            "https://hooks.example.com/in", ["lead.created", "invoice.paid"], "CRM", new Dictionary<string, string> { ["X-Api-Key"] = "k" }, 10));

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void Unknown_and_unsubscribable_event_types_are_field_errors()
    {
        var problem = Validate(new CreateWebhookEndpoint("https://hooks.example.com/in", ["lead.created", "lead.exploded", "webhook.test"])).ToProblem()!;

        Assert.Equal(2, problem.Errors!["eventTypes"].Length);
    }

    [Fact]
    public void Oversized_custom_headers_are_a_field_error()
    {
        var headers = Enumerable.Range(0, 8).ToDictionary(i => $"X-Big-{i}", _ => new string('a', 1000));

        var problem = Validate(new CreateWebhookEndpoint("https://hooks.example.com/in", Headers: headers)).ToProblem()!;

        Assert.Contains(problem.Errors!["headers"], m => m.Contains("4096 bytes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("webhook-signature", "forged")]
    [InlineData("Content-Type", "text/plain")]
    [InlineData("Host", "internal")]
    [InlineData("X Bad Name", "v")]
    [InlineData("X-Injected", "a\r\nb: c")]
    public void Reserved_malformed_or_injecting_headers_are_field_errors(string name, string value)
    {
        var problem = Validate(new CreateWebhookEndpoint("https://hooks.example.com/in", Headers: new Dictionary<string, string> { [name] = value })).ToProblem();

        Assert.NotNull(problem);
        Assert.True(problem.Errors!.ContainsKey("headers"));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problem = Validate(new CreateWebhookEndpoint("http://10.0.0.1/", ["nope"], new string('d', 501), RateLimitPerSecond: 0)).ToProblem()!;

        Assert.Equal(["description", "eventTypes", "rateLimitPerSecond", "url"], problem.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    private static ValidationErrors Validate(CreateWebhookEndpoint request)
    {
        var errors = new ValidationErrors();
        WebhookEndpointValidation.ValidateCreate(request, allowLoopback: false, errors);
        return errors;
    }
}
