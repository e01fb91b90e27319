using Microsoft.DurableTask;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Metering;

namespace StreamFlow.Orchestrations.Billing;

/// <summary>Collects the period's usage events (idempotent keys).</summary>
public sealed class CollectBillingUsageActivity(BillingCycleService cycle) : TaskActivity<BillingRunRequest, CollectedUsage>
{
    public override Task<CollectedUsage> RunAsync(TaskActivityContext context, BillingRunRequest input) =>
        cycle.CollectUsageAsync(input, CancellationToken.None);
}

/// <summary>Computes the invoice and stores (or recomputes) the period's draft.</summary>
public sealed class PrepareInvoiceDraftActivity(BillingCycleService cycle) : TaskActivity<BillingRunRequest, InvoiceDraft>
{
    public override Task<InvoiceDraft> RunAsync(TaskActivityContext context, BillingRunRequest input) =>
        cycle.PrepareDraftAsync(input, CancellationToken.None);
}

/// <summary>Numbers and finalizes the draft, with its invoice.created event, in one transaction.</summary>
public sealed class FinalizeInvoiceActivity(BillingCycleService cycle) : TaskActivity<InvoiceStepInput, FinalizedInvoice>
{
    public override Task<FinalizedInvoice> RunAsync(TaskActivityContext context, InvoiceStepInput input) =>
        cycle.FinalizeAsync(input.TenantId, input.InvoiceId, CancellationToken.None);
}

/// <summary>Renders the HTML document and stores it in Blob storage.</summary>
public sealed class StoreInvoiceDocumentActivity(BillingCycleService cycle) : TaskActivity<InvoiceStepInput, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, InvoiceStepInput input) =>
        cycle.StoreDocumentAsync(input.TenantId, input.InvoiceId, CancellationToken.None);
}

/// <summary>Hands the invoice to the payment gateway (Stripe when configured).</summary>
public sealed class SubmitInvoiceForCollectionActivity(BillingCycleService cycle) : TaskActivity<InvoiceStepInput, InvoiceCollection>
{
    public override Task<InvoiceCollection> RunAsync(TaskActivityContext context, InvoiceStepInput input) =>
        cycle.SubmitForCollectionAsync(input.TenantId, input.InvoiceId, CancellationToken.None);
}

/// <summary>Emails the invoice to the client's owners unless it was emailed already.</summary>
public sealed class EmailInvoiceActivity(BillingCycleService cycle) : TaskActivity<EmailInvoiceInput, InvoiceEmailed>
{
    public override Task<InvoiceEmailed> RunAsync(TaskActivityContext context, EmailInvoiceInput input) =>
        cycle.EmailAsync(input.TenantId, input.InvoiceId, input.PayOnlineUrl, CancellationToken.None);
}
