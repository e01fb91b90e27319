using System.Text.Json.Nodes;

namespace StreamFlow.Core.Webhooks;

/// <summary>An event type a tenant can subscribe to, with an example of its <c>data</c> object.</summary>
/// <param name="Subscribable">False for types that are only sent on request (test events).</param>
public sealed record WebhookEventType(string Name, string Group, string Description, bool Subscribable, string ExampleDataJson)
{
    public JsonObject ExampleData() => JsonNode.Parse(ExampleDataJson)!.AsObject();
}

/// <summary>Every event StreamFlow sends. Publishing a type that is not here is a programming error.</summary>
public static class WebhookEventCatalog
{
    public const string LeadCreated = "lead.created";
    public const string LeadUpdated = "lead.updated";
    public const string LeadScored = "lead.scored";
    public const string LeadAssigned = "lead.assigned";
    public const string LeadConverted = "lead.converted";
    public const string LeadLost = "lead.lost";
    public const string InvoiceCreated = "invoice.created";
    public const string InvoicePaid = "invoice.paid";
    public const string ReportSent = "report.sent";
    public const string AiBudgetWarning = "ai.budget.warning";
    public const string EndpointDisabled = "webhook.endpoint.disabled";
    public const string DeliveryFailed = "webhook.delivery.failed";
    public const string Test = "webhook.test";

    public static IReadOnlyList<WebhookEventType> All { get; } =
    [
        new(LeadCreated, "leads", "A lead was created, by hand, by import or by an integration.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","firstName":"Dana","lastName":"Reyes","company":"Reyes Roofing","email":"dana@example.com","source":"website","stage":"new","createdAt":"2026-01-15T14:03:00Z"}"""),
        new(LeadUpdated, "leads", "A lead's fields or stage changed; changedFields names them.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","changedFields":["phone","stage"],"stage":"contacted","updatedAt":"2026-01-15T15:10:00Z"}"""),
        new(LeadScored, "leads", "A lead received a new score (0-100) and tier.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","score":{"value":82,"tier":"hot","probability":0.71,"confidence":0.8,"model":"rules+model@7"},"scoredAt":"2026-01-15T14:03:02Z"}"""),
        new(LeadAssigned, "leads", "A lead was assigned to a user, by routing rules or by hand.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","assignedTo":{"userId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","name":"Sam Ortiz"},"assignedAt":"2026-01-15T14:05:00Z"}"""),
        new(LeadConverted, "leads", "A lead became a customer (won).", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","value":{"amount":"12500.00","currency":"USD"},"convertedAt":"2026-02-02T09:30:00Z"}"""),
        new(LeadLost, "leads", "A lead was marked lost, with the reason given.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","reason":"went with a competitor","lostAt":"2026-02-02T09:30:00Z"}"""),
        new(InvoiceCreated, "billing", "An invoice was issued to the tenant.", true,
            """{"invoiceId":"0190a5c5-0a11-7b2c-8d3e-4f5a6b7c8d90","number":"INV-2026-0001","total":{"amount":"499.00","currency":"USD"},"dueAt":"2026-02-15T00:00:00Z"}"""),
        new(InvoicePaid, "billing", "An invoice was paid in full.", true,
            """{"invoiceId":"0190a5c5-0a11-7b2c-8d3e-4f5a6b7c8d90","number":"INV-2026-0001","paid":{"amount":"499.00","currency":"USD"},"paidAt":"2026-02-03T12:00:00Z"}"""),
        new(ReportSent, "reports", "A scheduled report was generated and sent.", true,
            """{"reportId":"0190a5c5-3c44-7d5e-9f60-718293a4b5c6","kind":"weekly-pipeline","period":{"from":"2026-01-05","to":"2026-01-11"},"recipients":2,"sentAt":"2026-01-12T07:00:00Z"}"""),
        new(AiBudgetWarning, "ai", "AI spending reached a warning threshold of the tenant's monthly budget.", true,
            """{"period":"2026-01","threshold":0.8,"spent":{"amount":"40.00","currency":"USD"},"budget":{"amount":"50.00","currency":"USD"}}"""),
        new(EndpointDisabled, "webhooks", "A webhook endpoint was disabled: it answered 410 Gone or failed continuously for too long.", true,
            """{"endpointId":"0190a5c5-5e66-7f70-8192-a3b4c5d6e7f8","reason":"failing","failingSince":"2026-01-10T08:00:00Z","disabledAt":"2026-01-15T08:00:00Z"}"""),
        new(DeliveryFailed, "webhooks", "A message could not be delivered to an endpoint after its last attempt.", true,
            """{"endpointId":"0190a5c5-5e66-7f70-8192-a3b4c5d6e7f8","messageId":"msg_0190a5c57e887f9291a2b3c4d5e6f708","eventType":"lead.created","attempts":8,"lastStatusCode":500,"lastError":null,"failedAt":"2026-01-16T20:41:00Z"}"""),
        new(Test, "webhooks", "A test event sent on request to one endpoint.", false,
            """{"message":"This is a test event from StreamFlow."}"""),
    ];

    private static readonly Dictionary<string, WebhookEventType> ByName = All.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public static WebhookEventType? Find(string name) => ByName.GetValueOrDefault(name);

    public static bool IsSubscribable(string name) => ByName.TryGetValue(name, out var type) && type.Subscribable;
}
