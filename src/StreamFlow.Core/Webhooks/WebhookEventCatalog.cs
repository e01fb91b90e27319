using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// An event type a tenant can subscribe to, with an example of its <c>data</c> object and that object's JSON Schema
/// (draft 2020-12), which describes exactly what is sent.
/// </summary>
/// <param name="Subscribable">False for types that are only sent on request (test events).</param>
public sealed record WebhookEventType(string Name, string Group, string Description, bool Subscribable, string ExampleDataJson)
{
    private JsonElement? _dataSchema;

    /// <summary>The JSON Schema (draft 2020-12) of the <c>data</c> object of this type's events.</summary>
    public JsonElement DataSchema => _dataSchema ??= JsonSerializer.SerializeToElement(WebhookEventSchemas.For(Name));

    /// <summary>The example as a JSON object (<see cref="ExampleDataJson"/> is the same, as text).</summary>
    public JsonElement Example => JsonDocument.Parse(ExampleDataJson).RootElement.Clone();

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
    public const string CreditNoteIssued = "credit_note.issued";
    public const string ReportSent = "report.sent";
    public const string AiBudgetWarning = "ai.budget.warning";
    public const string EndpointDisabled = "webhook.endpoint.disabled";
    public const string DeliveryFailed = "webhook.delivery.failed";
    public const string Test = "webhook.test";
    public const string JobCreated = "job.created";
    public const string VisitStatusChanged = "visit.status_changed";
    public const string VisitCompleted = "visit.completed";
    public const string TimesheetApproved = "timesheet.approved";
    public const string TaskCreated = "task.created";
    public const string TaskUpdated = "task.updated";
    public const string TaskCompleted = "task.completed";
    public const string TaskReopened = "task.reopened";
    public const string QuoteSent = "quote.sent";
    public const string QuoteApproved = "quote.approved";
    public const string QuoteDeclined = "quote.declined";
    public const string VisitRescheduled = "visit.rescheduled";
    public const string CustomerInvoicePaid = "customer_invoice.paid";
    public const string QuoteDepositPaid = "quote.deposit_paid";
    public const string WorkflowRunCompleted = "workflow.run.completed";
    public const string WorkflowRunFailed = "workflow.run.failed";
    public const string WorkflowEvent = "workflow.event";
    public const string IntegrationSyncCompleted = "integration.sync.completed";
    public const string IntegrationSyncFailed = "integration.sync.failed";
    public const string IntegrationConnectionBroken = "integration.connection.broken";

    public static IReadOnlyList<WebhookEventType> All { get; } =
    [
        new(LeadCreated, "leads", "A lead was created, by hand, by import or by an integration. The data is the lead as GET /api/v1/leads/{id} shows it.", true,
            """{"id":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","firstName":"Dana","lastName":"Reyes","company":"Reyes Roofing","email":"dana@example.com","phone":"+15125550142","source":"website","externalId":null,"postalCode":"78701","state":"TX","city":"Austin","country":"US","notes":"Roof leaks after the storm","attributes":{"Roof Size":"2800"},"ownerUserId":null,"ownerName":null,"stage":"new","outcome":null,"score":null,"scoreStatus":"pending","scoreError":null,"version":1,"createdAt":"2026-01-15T14:03:00+00:00","updatedAt":"2026-01-15T14:03:00+00:00"}"""),
        new(LeadUpdated, "leads", "A lead's fields, owner, stage or outcome changed. The data is the lead after the change, as GET /api/v1/leads/{id} shows it.", true,
            """{"id":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","firstName":"Dana","lastName":"Reyes","company":"Reyes Roofing","email":"dana@example.com","phone":"+15125550142","source":"website","externalId":null,"postalCode":"78701","state":"TX","city":"Austin","country":"US","notes":"Roof leaks after the storm","attributes":{"Roof Size":"2800"},"ownerUserId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","ownerName":"Sam Ortiz","stage":"contacted","outcome":null,"score":{"value":82,"tier":"hot","probability":0.71,"confidence":0.8,"factors":[{"name":"Storm or leak damage","direction":"up","weight":20}],"model":"rules+model@7","scoredAt":"2026-01-15T14:03:02+00:00"},"scoreStatus":"scored","scoreError":null,"version":3,"createdAt":"2026-01-15T14:03:00+00:00","updatedAt":"2026-01-15T15:10:00+00:00"}"""),
        new(LeadScored, "leads", "A lead received a new score (0-100) and tier.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","score":{"value":82,"tier":"hot","probability":0.71,"confidence":0.8,"factors":[{"name":"Storm or leak damage","direction":"up","weight":20}],"model":"rules+model@7","scoredAt":"2026-01-15T14:03:02+00:00"}}"""),
        new(LeadAssigned, "leads", "A lead was assigned to a user, by routing rules or by hand.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","ownerUserId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","assignedTo":{"userId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","name":"Sam Ortiz"},"assignedAt":"2026-01-15T14:05:00+00:00"}"""),
        new(LeadConverted, "leads", "A lead became a customer (won).", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","outcome":{"status":"won","value":{"amount":"12500.00","currency":"USD"},"lostReason":null,"at":"2026-02-02T09:30:00+00:00"}}"""),
        new(LeadLost, "leads", "A lead was marked lost, with the reason given.", true,
            """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","outcome":{"status":"lost","value":null,"lostReason":"went with a competitor","at":"2026-02-02T09:30:00+00:00"}}"""),
        new(InvoiceCreated, "billing", "An invoice was issued to the tenant.", true,
            """{"invoiceId":"0190a5c5-0a11-7b2c-8d3e-4f5a6b7c8d90","number":"INV-000001","periodStart":"2026-01-01","periodEnd":"2026-02-01","total":{"amount":"499.00","currency":"USD"},"dueAt":"2026-02-15T00:00:00+00:00"}"""),
        new(InvoicePaid, "billing", "An invoice was paid in full.", true,
            """{"invoiceId":"0190a5c5-0a11-7b2c-8d3e-4f5a6b7c8d90","number":"INV-000001","paid":{"amount":"499.00","currency":"USD"},"paidAt":"2026-02-03T12:00:00+00:00"}"""),
        new(CreditNoteIssued, "billing", "The provider (or one of its churn playbooks) issued a credit note to the tenant: against an invoice (kind invoice: it lowers what that invoice owes) or as account credit (kind account: taken off the next invoice(s)).", true,
            """{"creditNoteId":"0190a5c5-1b22-7c3d-8e4f-5a6b7c8d9e01","number":"CN-000001","kind":"invoice","invoiceId":"0190a5c5-0a11-7b2c-8d3e-4f5a6b7c8d90","invoiceNumber":"INV-000001","amount":{"amount":"25.50","currency":"USD"},"reason":"Seat billed twice","issuedBy":"provider","issuedAt":"2026-02-04T10:00:00+00:00"}"""),
        new(ReportSent, "reports", "A report was generated and emailed (scheduled, or sent on request).", true,
            """{"tenantId":"0190a5c4-0000-7000-8000-000000000001","deliveryId":"0190a5c5-3c44-7d5e-9f60-718293a4b5c6","userId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","periodKind":"week","periodStart":"2026-01-05","periodEnd":"2026-01-12","trigger":"schedule","archivePath":null,"sentAt":"2026-01-12T07:00:00+00:00"}"""),
        new(AiBudgetWarning, "ai", "AI spending reached the warning share of one of the tenant's AI budgets (daily or monthly, in USD).", true,
            """{"scope":"TenantMonth","periodStart":"2026-01-01","limitUsd":50.00,"spentUsd":40.00,"warningRatio":0.8}"""),
        new(EndpointDisabled, "webhooks", "A webhook endpoint was disabled: it answered 410 Gone or failed continuously for too long.", true,
            """{"endpointId":"0190a5c5-5e66-7f70-8192-a3b4c5d6e7f8","reason":"failing","failingSince":"2026-01-10T08:00:00+00:00","disabledAt":"2026-01-15T08:00:00+00:00"}"""),
        new(DeliveryFailed, "webhooks", "A message could not be delivered to an endpoint after its last attempt.", true,
            """{"endpointId":"0190a5c5-5e66-7f70-8192-a3b4c5d6e7f8","messageId":"msg_0190a5c57e887f9291a2b3c4d5e6f708","eventType":"lead.created","attempts":8,"lastStatusCode":500,"lastError":null,"failedAt":"2026-01-16T20:41:00+00:00"}"""),
        new(JobCreated, "fieldops", "A job was created (by hand or from a lead). The data is the job as GET /api/v1/jobs/{id} shows it.", true,
            """{"id":"0190a5c6-1a2b-7c3d-8e4f-5a6b7c8d9e01","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","customerName":"Dana Reyes","title":"Replace roof flashing","address":"500 Congress Ave, Austin, TX","location":{"latitude":30.2672,"longitude":-97.7431},"geofenceRadiusMetres":null,"recurrence":{"frequency":"monthly","interval":1,"until":"2026-12-31"},"version":1,"createdAt":"2026-01-15T14:03:00+00:00","updatedAt":"2026-01-15T14:03:00+00:00"}"""),
        new(VisitStatusChanged, "fieldops", "A visit moved: scheduled, en_route, on_site, completed or cancelled.", true,
            """{"visitId":"0190a5c6-2b3c-7d4e-8f50-6a7b8c9d0e12","jobId":"0190a5c6-1a2b-7c3d-8e4f-5a6b7c8d9e01","from":"scheduled","to":"en_route","technicianIds":["0190a5c6-3c4d-7e5f-8061-7b8c9d0e1f23"],"changedAt":"2026-01-16T08:40:00+00:00"}"""),
        new(VisitCompleted, "fieldops", "A visit was completed on site.", true,
            """{"visitId":"0190a5c6-2b3c-7d4e-8f50-6a7b8c9d0e12","jobId":"0190a5c6-1a2b-7c3d-8e4f-5a6b7c8d9e01","technicianIds":["0190a5c6-3c4d-7e5f-8061-7b8c9d0e1f23"],"notes":"Flashing replaced, photos taken","completedAt":"2026-01-16T11:05:00+00:00"}"""),
        new(TimesheetApproved, "fieldops", "A manager approved a technician's timesheet for a pay period; it is locked from then on.", true,
            """{"timesheetId":"0190a5c6-4d5e-7f60-8172-8c9d0e1f2a34","technicianId":"0190a5c6-3c4d-7e5f-8061-7b8c9d0e1f23","periodStart":"2026-01-12","periodEnd":"2026-01-18","regularHours":40,"overtimeHours":3.5,"approvedBy":"user:0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","approvedAt":"2026-01-19T09:00:00+00:00"}"""),
        new(TaskCreated, "tasks", "A follow-up task was created (by a user, an integration or a workflow). The data is the task as GET /api/v1/tasks/{id} shows it.", true,
            """{"id":"0190a5c7-1a2b-7c3d-8e4f-5a6b7c8d9e02","title":"Call Dana back about the roof","notes":"Wants a quote before Friday","priority":"urgent","assigneeUserId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","dueAt":"2026-01-15T20:00:00+00:00","dueLocal":"2026-01-15T14:00","timeZone":"America/Chicago","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","jobId":null,"status":"open","overdue":false,"completedAt":null,"completedBy":null,"createdBy":"user:0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","createdAt":"2026-01-15T14:05:00+00:00","updatedAt":"2026-01-15T14:05:00+00:00","version":1,"assigneeName":"Sam Ortiz","leadName":"Dana Reyes","jobTitle":null,"completedByName":null,"createdByName":"Olive Owner"}"""),
        new(TaskUpdated, "tasks", "A task's title, notes, priority, assignee, due time or link changed. The data is the task after the change.", true,
            """{"id":"0190a5c7-1a2b-7c3d-8e4f-5a6b7c8d9e02","title":"Call Dana back about the roof","notes":"Wants a quote before Friday","priority":"urgent","assigneeUserId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","dueAt":"2026-01-15T20:00:00+00:00","dueLocal":"2026-01-15T14:00","timeZone":"America/Chicago","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","jobId":null,"status":"open","overdue":false,"completedAt":null,"completedBy":null,"createdBy":"user:0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","createdAt":"2026-01-15T14:05:00+00:00","updatedAt":"2026-01-15T15:00:00+00:00","version":2,"assigneeName":"Sam Ortiz","leadName":"Dana Reyes","jobTitle":null,"completedByName":null,"createdByName":"Olive Owner"}"""),
        new(TaskCompleted, "tasks", "A task was marked done. The data is the task after the change.", true,
            """{"id":"0190a5c7-1a2b-7c3d-8e4f-5a6b7c8d9e02","title":"Call Dana back about the roof","notes":"Wants a quote before Friday","priority":"urgent","assigneeUserId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","dueAt":"2026-01-15T20:00:00+00:00","dueLocal":"2026-01-15T14:00","timeZone":"America/Chicago","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","jobId":null,"status":"done","overdue":false,"completedAt":"2026-01-15T16:30:00+00:00","completedBy":"user:0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","createdBy":"user:0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","createdAt":"2026-01-15T14:05:00+00:00","updatedAt":"2026-01-15T16:30:00+00:00","version":3,"assigneeName":"Sam Ortiz","leadName":"Dana Reyes","jobTitle":null,"completedByName":"Sam Ortiz","createdByName":"Olive Owner"}"""),
        new(TaskReopened, "tasks", "A done task was reopened (its completion undone). The data is the task after the change.", true,
            """{"id":"0190a5c7-1a2b-7c3d-8e4f-5a6b7c8d9e02","title":"Call Dana back about the roof","notes":"Wants a quote before Friday","priority":"urgent","assigneeUserId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","dueAt":"2026-01-15T20:00:00+00:00","dueLocal":"2026-01-15T14:00","timeZone":"America/Chicago","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","jobId":null,"status":"open","overdue":false,"completedAt":null,"completedBy":null,"createdBy":"user:0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80","createdAt":"2026-01-15T14:05:00+00:00","updatedAt":"2026-01-15T16:45:00+00:00","version":4,"assigneeName":"Sam Ortiz","leadName":"Dana Reyes","jobTitle":null,"completedByName":null,"createdByName":"Olive Owner"}"""),
        new(QuoteSent, "fieldops", "A quote version was emailed to its customer with an approval link (a resend replaces the link).", true,
            """{"quoteId":"0190a5c6-5e6f-7081-9203-9d0e1f2a3b45","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","number":"Q-12","version":2,"total":{"amount":"4330.00","currency":"USD"},"sentAt":"2026-01-15T16:00:00+00:00","linkExpiresAt":"2026-02-14T16:00:00+00:00"}"""),
        new(QuoteApproved, "fieldops", "The customer approved a quote through its link: the job was created and the lead marked won with the total.", true,
            """{"quoteId":"0190a5c6-5e6f-7081-9203-9d0e1f2a3b45","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","number":"Q-12","version":2,"total":{"amount":"4330.00","currency":"USD"},"deposit":{"amount":"500.00","currency":"USD"},"jobId":"0190a5c6-1a2b-7c3d-8e4f-5a6b7c8d9e01","approvedAt":"2026-01-16T09:12:00+00:00"}"""),
        new(QuoteDeclined, "fieldops", "The customer declined a quote through its link, with the reason if one was given.", true,
            """{"quoteId":"0190a5c6-5e6f-7081-9203-9d0e1f2a3b45","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","number":"Q-12","version":2,"reason":"Went with a cheaper offer","declinedAt":"2026-01-16T09:12:00+00:00"}"""),
        new(QuoteDepositPaid, "fieldops", "The deposit of an approved quote was paid in full (the payment that completed it was recorded).", true,
            """{"quoteId":"0190a5c6-5e6f-7081-9203-9d0e1f2a3b45","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","number":"Q-12","version":2,"deposit":{"amount":"500.00","currency":"USD"},"depositPaid":{"amount":"500.00","currency":"USD"},"payments":1,"paidAt":"2026-01-16T10:00:00+00:00"}"""),
        new(CustomerInvoicePaid, "fieldops", "An invoice of the business to its customer was paid in full: by the payment that settled it (settledBy: payments) or marked paid by hand (settledBy: status).", true,
            """{"invoiceId":"0190a5c6-7a8b-7c9d-8e0f-1a2b3c4d5e6f","number":"CI-7","total":{"amount":"4553.76","currency":"USD"},"amountPaid":{"amount":"4553.76","currency":"USD"},"payments":2,"paidAt":"2026-02-03T12:00:00+00:00","settledBy":"payments"}"""),
        new(VisitRescheduled, "fieldops", "A re-plan of the day (after a visit was added, cancelled or reported late, or time off was recorded) gave a visit another technician or start, or took it off a technician who became unavailable (to: null).", true,
            """{"visitId":"0190a5c6-2b3c-7d4e-8f50-6a7b8c9d0e12","jobId":"0190a5c6-1a2b-7c3d-8e4f-5a6b7c8d9e01","address":"500 Congress Ave, Austin, TX","reason":"cancelled","triggeredByVisitId":"0190a5c6-2b3c-7d4e-8f50-6a7b8c9d0e99","fromTechnicianId":"0190a5c6-3c4d-7e5f-8061-7b8c9d0e1f23","fromStart":"2026-01-16T15:00:00+00:00","toTechnicianId":"0190a5c6-3c4d-7e5f-8061-7b8c9d0e1f23","toStart":"2026-01-16T13:30:00+00:00","rescheduledAt":"2026-01-16T08:41:00+00:00"}"""),
        new(WorkflowRunCompleted, "workflows", "A workflow run finished: every step was taken, or a date wait found no date and the run stopped there (reason says so). Skipped runs send nothing.", true,
            """{"runId":"0190a5c8-1a2b-7c3d-8e4f-5a6b7c8d9e03","workflowId":"0190a5c8-0a1b-7c2d-8e3f-4a5b6c7d8e02","workflowName":"Hot lead not contacted","version":2,"trigger":"msg_0190a5c57e887f9291a2b3c4d5e6f708","eventType":"lead.scored","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","depth":0,"status":"completed","reason":null,"queuedAt":"2026-01-15T14:03:02+00:00","startedAt":"2026-01-15T14:03:02+00:00","finishedAt":"2026-01-15T14:18:03+00:00"}"""),
        new(WorkflowRunFailed, "workflows", "A workflow run failed: a step failed all its attempts (reason names it); the business's owners are emailed too.", true,
            """{"runId":"0190a5c8-1a2b-7c3d-8e4f-5a6b7c8d9e03","workflowId":"0190a5c8-0a1b-7c2d-8e3f-4a5b6c7d8e02","workflowName":"Hot lead not contacted","version":2,"trigger":"msg_0190a5c57e887f9291a2b3c4d5e6f708","eventType":"lead.scored","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","depth":0,"status":"failed","reason":"The lead 0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10 no longer exists.","queuedAt":"2026-01-15T14:03:02+00:00","startedAt":"2026-01-15T14:03:02+00:00","finishedAt":"2026-01-15T14:03:09+00:00"}"""),
        new(WorkflowEvent, "workflows", "An event of the business's own, sent by a workflow's sendEvent step: its name and data are what the workflow says (a client system subscribes to workflow.event and reads the name).", true,
            """{"name":"quote_follow_up.due","workflowId":"0190a5c8-0a1b-7c2d-8e3f-4a5b6c7d8e02","workflowName":"Quote follow-up","runId":"0190a5c8-1a2b-7c3d-8e4f-5a6b7c8d9e03","leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","data":{"reminder":2,"channel":"sms"},"sentAt":"2026-01-17T09:00:00+00:00"}"""),
        new(IntegrationSyncCompleted, "integrations", "A sync of a connection (SAM.gov, Google Local Services, QuickBooks, ...) completed, with its counts.", true,
            """{"connectionId":"0190a5c8-1a2b-7c3d-8e4f-5a6b7c8d9e03","kind":"sam_gov","name":"HVAC solicitations","syncId":"0190a5c8-2b3c-7d4e-8f50-6a7b8c9d0e14","trigger":"schedule","status":"completed","pages":3,"itemsSeen":2500,"leadsCreated":2480,"leadsUpdated":12,"itemsSkipped":8,"itemsFailed":0,"retries":1,"error":null,"errorKind":null,"startedAt":"2026-01-15T06:00:00+00:00","finishedAt":"2026-01-15T06:00:41+00:00"}"""),
        new(IntegrationSyncFailed, "integrations", "A sync of a connection failed: the vendor refused, throttled past its retries, or could not be reached. The connection's cursor stays, so the next sync covers the same ground.", true,
            """{"connectionId":"0190a5c8-1a2b-7c3d-8e4f-5a6b7c8d9e03","kind":"google_lsa","name":"Local Services","syncId":"0190a5c8-2b3c-7d4e-8f50-6a7b8c9d0e14","trigger":"manual","status":"failed","pages":1,"itemsSeen":0,"leadsCreated":0,"leadsUpdated":0,"itemsSkipped":0,"itemsFailed":0,"retries":5,"error":"The Google Ads API failed (503): The service is currently unavailable.","errorKind":"unavailable","startedAt":"2026-01-15T06:00:00+00:00","finishedAt":"2026-01-15T06:03:10+00:00"}"""),
        new(IntegrationConnectionBroken, "integrations", "A connection's credentials were refused (revoked access, wrong key): it stopped syncing until someone connects it again. Sent once, when it breaks; the owners are emailed too.", true,
            """{"connectionId":"0190a5c8-1a2b-7c3d-8e4f-5a6b7c8d9e03","kind":"google_lsa","name":"Local Services","syncId":"0190a5c8-2b3c-7d4e-8f50-6a7b8c9d0e14","error":"The vendor refused the grant (invalid_grant: Token has been expired or revoked.); connect the account again.","errorKind":"unauthorized","brokenAt":"2026-01-15T06:00:02+00:00"}"""),
        new(Test, "webhooks", "A test event sent on request to one endpoint.", false,
            """{"message":"This is a test event from StreamFlow."}"""),
    ];

    private static readonly Dictionary<string, WebhookEventType> ByName = All.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public static WebhookEventType? Find(string name) => ByName.GetValueOrDefault(name);

    public static bool IsSubscribable(string name) => ByName.TryGetValue(name, out var type) && type.Subscribable;
}
