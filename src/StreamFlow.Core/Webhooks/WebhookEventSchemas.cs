using System.Text.Json.Nodes;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// The JSON Schemas (draft 2020-12) of each event's <c>data</c> object, exactly as StreamFlow sends it: every property
/// listed and required, none other allowed, so a test that validates sent events fails as soon as code and schema differ.
/// </summary>
internal static class WebhookEventSchemas
{
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    private static JsonObject Money => Object(
        ("amount", new JsonObject { ["type"] = "string", ["pattern"] = @"^-?[0-9]+\.[0-9]{2}$" }),
        ("currency", new JsonObject { ["type"] = "string", ["pattern"] = "^[A-Z]{3}$" }));

    private static JsonObject Score => Object(
        ("value", new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 100 }),
        ("tier", Enum("hot", "warm", "cold")),
        ("probability", new JsonObject { ["type"] = new JsonArray("number", "null"), ["minimum"] = 0, ["maximum"] = 1 }),
        ("confidence", new JsonObject { ["type"] = "number", ["minimum"] = 0, ["maximum"] = 1 }),
        ("factors", new JsonObject
        {
            ["type"] = "array",
            ["items"] = Object(("name", String()), ("direction", Enum("up", "down")), ("weight", Number())),
        }),
        ("model", String()),
        ("scoredAt", DateTime()));

    private static JsonObject ConnectorFailureKind => Enum("rateLimited", "unavailable", "unauthorized", "quotaExceeded", "invalidRequest");

    private static JsonObject Count() => new() { ["type"] = "integer", ["minimum"] = 0 };

    private static JsonObject VisitStatus => Enum("scheduled", "en_route", "on_site", "completed", "cancelled");

    private static JsonObject WorkflowRun(string status) => Object(
        ("runId", Uuid()),
        ("workflowId", Uuid()),
        ("workflowName", String()),
        ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
        ("trigger", String()),
        ("eventType", String(nullable: true)),
        ("leadId", Uuid(nullable: true)),
        ("depth", new JsonObject { ["type"] = "integer", ["minimum"] = 0 }),
        ("status", new JsonObject { ["const"] = status }),
        ("reason", String(nullable: true)),
        ("queuedAt", DateTime()),
        ("startedAt", DateTime(nullable: true)),
        ("finishedAt", DateTime()));

    private static JsonObject Outcome(string status) => Object(
        ("status", new JsonObject { ["const"] = status }),
        ("value", Nullable(Money)),
        ("lostReason", String(nullable: true)),
        ("at", DateTime()));

    private static JsonObject Lead => Object(
        ("id", Uuid()),
        ("firstName", String(nullable: true)),
        ("lastName", String(nullable: true)),
        ("company", String(nullable: true)),
        ("email", String(nullable: true)),
        ("phone", String(nullable: true)),
        ("source", String(nullable: true)),
        ("externalId", String(nullable: true)),
        ("postalCode", String(nullable: true)),
        ("state", String(nullable: true)),
        ("city", String(nullable: true)),
        ("country", String(nullable: true)),
        ("notes", String(nullable: true)),
        ("attributes", new JsonObject { ["type"] = "object" }),
        ("ownerUserId", Uuid(nullable: true)),
        ("ownerName", String(nullable: true)),
        ("stage", String()),
        ("outcome", new JsonObject { ["anyOf"] = new JsonArray(Outcome("won"), Outcome("lost"), new JsonObject { ["type"] = "null" }) }),
        ("score", Nullable(Score)),
        ("scoreStatus", Enum("pending", "scored", "failed")),
        ("scoreError", String(nullable: true)),
        ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
        ("createdAt", DateTime()),
        ("updatedAt", DateTime()),
        ("deletedAt?", DateTime()));

    private static JsonObject FollowUpTask => Object(
        ("id", Uuid()),
        ("title", String()),
        ("notes", String(nullable: true)),
        ("priority", Enum("low", "normal", "high", "urgent")),
        ("assigneeUserId", Uuid(nullable: true)),
        ("dueAt", DateTime(nullable: true)),
        ("dueLocal", new JsonObject { ["type"] = new JsonArray("string", "null"), ["pattern"] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$" }),
        ("timeZone", String()),
        ("leadId", Uuid(nullable: true)),
        ("jobId", Uuid(nullable: true)),
        ("status", Enum("open", "done")),
        ("overdue", new JsonObject { ["type"] = "boolean" }),
        ("completedAt", DateTime(nullable: true)),
        ("completedBy", String(nullable: true)),
        ("createdBy", String()),
        ("createdAt", DateTime()),
        ("updatedAt", DateTime()),
        ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
        ("assigneeName", String(nullable: true)),
        ("leadName", String(nullable: true)),
        ("jobTitle", String(nullable: true)),
        ("completedByName", String(nullable: true)),
        ("createdByName", String(nullable: true)));

    /// <summary>The <c>data</c> schema of one event type; every type of <see cref="WebhookEventCatalog"/> has one.</summary>
    public static JsonObject For(string eventType) => Document(eventType, eventType switch
    {
        WebhookEventCatalog.LeadCreated or WebhookEventCatalog.LeadUpdated => Lead,
        WebhookEventCatalog.LeadScored => Object(("leadId", Uuid()), ("score", Score)),
        WebhookEventCatalog.LeadAssigned => Object(
            ("leadId", Uuid()),
            ("ownerUserId", Uuid()),
            ("assignedTo", Object(("userId", Uuid()), ("name", String()))),
            ("assignedAt", DateTime())),
        WebhookEventCatalog.LeadConverted => Object(("leadId", Uuid()), ("outcome", Outcome("won"))),
        WebhookEventCatalog.LeadLost => Object(("leadId", Uuid()), ("outcome", Outcome("lost"))),
        WebhookEventCatalog.InvoiceCreated => Object(
            ("invoiceId", Uuid()), ("number", String()), ("periodStart", Date()), ("periodEnd", Date()), ("total", Money), ("dueAt", DateTime())),
        WebhookEventCatalog.InvoicePaid => Object(("invoiceId", Uuid()), ("number", String()), ("paid", Money), ("paidAt", DateTime())),
        WebhookEventCatalog.CreditNoteIssued => Object(
            ("creditNoteId", Uuid()),
            ("number", String()),
            ("kind", Enum("invoice", "account")),
            ("invoiceId", Uuid(nullable: true)),
            ("invoiceNumber", String(nullable: true)),
            ("amount", Money),
            ("reason", String()),
            ("issuedBy", Enum("provider", "playbook")),
            ("issuedAt", DateTime())),
        WebhookEventCatalog.ReportSent => Object(
            ("tenantId", Uuid()),
            ("deliveryId", Uuid()),
            ("userId", Uuid(nullable: true)),
            ("periodKind", Enum("day", "week", "month")),
            ("periodStart", Date()),
            ("periodEnd", Date()),
            ("trigger", Enum("schedule", "manual")),
            ("archivePath", String(nullable: true)),
            ("sentAt", DateTime())),
        WebhookEventCatalog.AiBudgetWarning => Object(
            ("scope", Enum("TenantDay", "TenantMonth")),
            ("periodStart", Date()),
            ("limitUsd", Number()),
            ("spentUsd", Number()),
            ("warningRatio", Number())),
        WebhookEventCatalog.EndpointDisabled => Object(
            ("endpointId", Uuid()), ("reason", Enum("gone", "failing")), ("failingSince", DateTime(nullable: true)), ("disabledAt", DateTime())),
        WebhookEventCatalog.DeliveryFailed => Object(
            ("endpointId", Uuid()),
            ("messageId", new JsonObject { ["type"] = "string", ["pattern"] = "^msg_[0-9a-f]{32}$" }),
            ("eventType", String()),
            ("attempts", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
            ("lastStatusCode", new JsonObject { ["type"] = new JsonArray("integer", "null") }),
            ("lastError", String(nullable: true)),
            ("failedAt", DateTime())),
        WebhookEventCatalog.Test => Object(("message", String())),
        WebhookEventCatalog.JobCreated => Object(
            ("id", Uuid()),
            ("leadId", Uuid(nullable: true)),
            ("customerName", String()),
            ("title", String()),
            ("address", String()),
            ("location", Object(("latitude", Number()), ("longitude", Number()))),
            ("geofenceRadiusMetres", new JsonObject { ["type"] = new JsonArray("integer", "null") }),
            ("recurrence", Nullable(Object(
                ("frequency", Enum("weekly", "monthly", "everyNDays")),
                ("interval", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
                ("until", Date())))),
            ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
            ("createdAt", DateTime()),
            ("updatedAt", DateTime())),
        WebhookEventCatalog.VisitStatusChanged => Object(
            ("visitId", Uuid()),
            ("jobId", Uuid()),
            ("from", VisitStatus),
            ("to", VisitStatus),
            ("technicianIds", new JsonObject { ["type"] = "array", ["items"] = Uuid() }),
            ("changedAt", DateTime())),
        WebhookEventCatalog.VisitCompleted => Object(
            ("visitId", Uuid()),
            ("jobId", Uuid()),
            ("technicianIds", new JsonObject { ["type"] = "array", ["items"] = Uuid() }),
            ("notes", String(nullable: true)),
            ("completedAt", DateTime())),
        WebhookEventCatalog.VisitRescheduled => Object(
            ("visitId", Uuid()),
            ("jobId", Uuid()),
            ("address", String()),
            ("reason", Enum("added", "cancelled", "late", "time_off")),
            ("triggeredByVisitId", Uuid()),
            ("fromTechnicianId", Uuid(nullable: true)),
            ("fromStart", DateTime(nullable: true)),
            ("toTechnicianId", Uuid(nullable: true)),
            ("toStart", DateTime(nullable: true)),
            ("rescheduledAt", DateTime())),
        WebhookEventCatalog.TimesheetApproved => Object(
            ("timesheetId", Uuid()),
            ("technicianId", Uuid()),
            ("periodStart", Date()),
            ("periodEnd", Date()),
            ("regularHours", Number()),
            ("overtimeHours", Number()),
            ("approvedBy", String()),
            ("approvedAt", DateTime())),
        WebhookEventCatalog.TaskCreated or WebhookEventCatalog.TaskUpdated or WebhookEventCatalog.TaskCompleted or WebhookEventCatalog.TaskReopened => FollowUpTask,
        WebhookEventCatalog.QuoteSent => Object(
            ("quoteId", Uuid()),
            ("leadId", Uuid()),
            ("number", String()),
            ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
            ("total", Money),
            ("sentAt", DateTime()),
            ("linkExpiresAt", DateTime())),
        WebhookEventCatalog.QuoteApproved => Object(
            ("quoteId", Uuid()),
            ("leadId", Uuid()),
            ("number", String()),
            ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
            ("total", Money),
            ("deposit", Money),
            ("jobId", Uuid()),
            ("approvedAt", DateTime())),
        WebhookEventCatalog.QuoteDeclined => Object(
            ("quoteId", Uuid()),
            ("leadId", Uuid()),
            ("number", String()),
            ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
            ("reason", String(nullable: true)),
            ("declinedAt", DateTime())),
        WebhookEventCatalog.QuoteDepositPaid => Object(
            ("quoteId", Uuid()),
            ("leadId", Uuid()),
            ("number", String()),
            ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
            ("deposit", Money),
            ("depositPaid", Money),
            ("payments", new JsonObject { ["type"] = "integer", ["minimum"] = 1 }),
            ("paidAt", DateTime())),
        WebhookEventCatalog.CustomerInvoicePaid => Object(
            ("invoiceId", Uuid()),
            ("number", String()),
            ("total", Money),
            ("amountPaid", Money),
            ("payments", new JsonObject { ["type"] = "integer", ["minimum"] = 0 }),
            ("paidAt", DateTime()),
            ("settledBy", Enum("payments", "status"))),
        WebhookEventCatalog.WorkflowRunCompleted => WorkflowRun("completed"),
        WebhookEventCatalog.WorkflowRunFailed => WorkflowRun("failed"),
        WebhookEventCatalog.WorkflowEvent => Object(
            ("name", String()),
            ("workflowId", Uuid()),
            ("workflowName", String()),
            ("runId", Uuid()),
            ("leadId", Uuid(nullable: true)),
            ("data", new JsonObject { ["type"] = "object" }),
            ("sentAt", DateTime())),
        WebhookEventCatalog.IntegrationSyncCompleted or WebhookEventCatalog.IntegrationSyncFailed => Object(
            ("connectionId", Uuid()),
            ("kind", String()),
            ("name", String()),
            ("syncId", Uuid()),
            ("trigger", String()),
            ("status", eventType == WebhookEventCatalog.IntegrationSyncCompleted ? Enum("completed") : Enum("failed")),
            ("pages", Count()),
            ("itemsSeen", Count()),
            ("leadsCreated", Count()),
            ("leadsUpdated", Count()),
            ("itemsSkipped", Count()),
            ("itemsFailed", Count()),
            ("retries", Count()),
            ("error", eventType == WebhookEventCatalog.IntegrationSyncCompleted ? new JsonObject { ["type"] = "null" } : String()),
            ("errorKind", eventType == WebhookEventCatalog.IntegrationSyncCompleted ? new JsonObject { ["type"] = "null" } : ConnectorFailureKind),
            ("startedAt", DateTime(nullable: true)),
            ("finishedAt", DateTime())),
        WebhookEventCatalog.IntegrationConnectionBroken => Object(
            ("connectionId", Uuid()),
            ("kind", String()),
            ("name", String()),
            ("syncId", Uuid()),
            ("error", String()),
            ("errorKind", Enum("unauthorized")),
            ("brokenAt", DateTime())),
        _ => throw new ArgumentOutOfRangeException(nameof(eventType), eventType, "No schema for this event type."),
    });

    private static JsonObject Document(string eventType, JsonObject data)
    {
        var document = new JsonObject
        {
            ["$schema"] = Dialect,
            ["$id"] = $"urn:streamflow:webhook-event:{eventType}:data",
            ["title"] = $"{eventType} data",
        };
        foreach (var (name, value) in data.ToArray())
        {
            data.Remove(name);
            document[name] = value;
        }

        return document;
    }

    /// <summary>An object with exactly these properties; a name ending in <c>?</c> is optional (absent rather than null).</summary>
    private static JsonObject Object(params (string Name, JsonObject Schema)[] properties)
    {
        var schemas = new JsonObject();
        var required = new JsonArray();
        foreach (var (name, schema) in properties)
        {
            var optional = name.EndsWith('?');
            var property = optional ? name[..^1] : name;
            schemas[property] = schema;
            if (!optional)
            {
                required.Add(property);
            }
        }

        return new JsonObject { ["type"] = "object", ["properties"] = schemas, ["required"] = required, ["additionalProperties"] = false };
    }

    private static JsonObject Nullable(JsonObject schema) => new() { ["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };

    private static JsonObject String(bool nullable = false) => new() { ["type"] = Type("string", nullable) };

    private static JsonObject Number() => new() { ["type"] = "number" };

    private static JsonObject Uuid(bool nullable = false) => new() { ["type"] = Type("string", nullable), ["format"] = "uuid" };

    private static JsonObject DateTime(bool nullable = false) => new() { ["type"] = Type("string", nullable), ["format"] = "date-time" };

    private static JsonObject Date() => new() { ["type"] = "string", ["format"] = "date" };

    private static JsonObject Enum(params string[] values) => new() { ["type"] = "string", ["enum"] = new JsonArray([.. values.Select(v => JsonValue.Create(v))]) };

    private static JsonNode Type(string type, bool nullable) => nullable ? new JsonArray(type, "null") : JsonValue.Create(type);
}
