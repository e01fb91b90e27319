using System.Text;
using System.Text.Json;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class WebhookEventCatalogTests
{
    [Fact]
    public void Catalog_has_every_event_the_product_promises()
    {
        string[] promised =
        [
            "lead.created", "lead.updated", "lead.scored", "lead.assigned", "lead.converted", "lead.lost", "invoice.created",
            "invoice.paid", "report.sent", "ai.budget.warning", "webhook.endpoint.disabled", "webhook.delivery.failed",
        ];

        Assert.All(promised, name => Assert.True(WebhookEventCatalog.IsSubscribable(name), name));
    }

    [Fact]
    public void Every_event_type_is_unique_described_and_has_an_object_example()
    {
        Assert.Equal(WebhookEventCatalog.All.Count, WebhookEventCatalog.All.Select(e => e.Name).Distinct().Count());
        Assert.All(WebhookEventCatalog.All, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Description));
            Assert.NotEmpty(e.ExampleData());
        });
    }

    [Fact]
    public void Test_events_cannot_be_subscribed_to()
    {
        Assert.NotNull(WebhookEventCatalog.Find("webhook.test"));
        Assert.False(WebhookEventCatalog.IsSubscribable("webhook.test"));
    }

    [Fact]
    public void Envelope_is_id_type_tenant_id_occurred_at_and_data_in_camel_case()
    {
        var tenant = Guid.Parse("0190a5c4-0000-7000-8000-000000000001");

        var body = WebhookEnvelope.Serialize(
            "msg_1", "lead.created", tenant, new DateTimeOffset(2026, 1, 15, 14, 3, 0, TimeSpan.Zero), """{"leadId": "x", "score": {"value": 82}}""");

        Assert.Equal(
            """{"id":"msg_1","type":"lead.created","tenantId":"0190a5c4-0000-7000-8000-000000000001","occurredAt":"2026-01-15T14:03:00Z","data":{"leadId":"x","score":{"value":82}}}""",
            Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void Event_data_is_serialized_in_the_api_json_shape()
    {
        var json = WebhookOutbox.SerializeData(new { LeadId = Guid.Empty, FirstName = "Dana" });

        Assert.Equal("""{"leadId":"00000000-0000-0000-0000-000000000000","firstName":"Dana"}""", json);
    }

    [Fact]
    public void Event_data_must_be_an_object()
    {
        Assert.Throws<ArgumentException>(() => WebhookOutbox.SerializeData(new[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => WebhookOutbox.SerializeData(JsonDocument.Parse("42").RootElement));
    }
}
