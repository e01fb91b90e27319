using Microsoft.DurableTask;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Metering;

namespace StreamFlow.Orchestrations.Billing;

/// <summary>The outcome of a billing run: the invoice (null when the period had no price) and what was done with it.</summary>
public sealed record BillingRunResult(Guid? InvoiceId, string? Number, string? Total, string? Currency, bool SubmittedForCollection, int EmailedTo);

/// <summary>Where a billing run is, for its status resource.</summary>
public sealed record BillingRunStatus(string Step, Guid? InvoiceId, string? Number);

/// <summary>An activity's input that names one invoice.</summary>
public sealed record InvoiceStepInput(Guid TenantId, Guid InvoiceId);

/// <summary>The email step's input: the invoice and the payment service's hosted page, when there is one.</summary>
public sealed record EmailInvoiceInput(Guid TenantId, Guid InvoiceId, string? PayOnlineUrl);

/// <summary>
/// Bills one client for one period. Its instance id is <c>billing-{tenantId:N}-{periodStart:yyyyMMdd}</c>, and every
/// step is idempotent against the database, so starting it twice, retrying a step or resuming after a crash at any
/// point yields one invoice, one number, one <c>invoice.created</c> event and (barring a crash mid-send) one email.
/// </summary>
public sealed class BillingCycleOrchestrator : TaskOrchestrator<BillingRunRequest, BillingRunResult>
{
    private static readonly TaskOptions StepRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<BillingRunResult> RunAsync(TaskOrchestrationContext context, BillingRunRequest input)
    {
        context.SetCustomStatus(new BillingRunStatus(TaskNames.CollectBillingUsage, null, null));
        await context.CallActivityAsync<CollectedUsage>(TaskNames.CollectBillingUsage, input, StepRetry);

        context.SetCustomStatus(new BillingRunStatus(TaskNames.PrepareInvoiceDraft, null, null));
        var draft = await context.CallActivityAsync<InvoiceDraft>(TaskNames.PrepareInvoiceDraft, input, StepRetry);
        if (draft.InvoiceId is not { } invoiceId)
        {
            context.SetCustomStatus(new BillingRunStatus("nothing_to_bill", null, null));
            return new BillingRunResult(null, null, null, null, false, 0);
        }

        var step = new InvoiceStepInput(input.TenantId, invoiceId);
        context.SetCustomStatus(new BillingRunStatus(TaskNames.FinalizeInvoice, invoiceId, null));
        var finalized = await context.CallActivityAsync<FinalizedInvoice>(TaskNames.FinalizeInvoice, step, StepRetry);

        context.SetCustomStatus(new BillingRunStatus(TaskNames.StoreInvoiceDocument, invoiceId, finalized.Number));
        await context.CallActivityAsync<string>(TaskNames.StoreInvoiceDocument, step, StepRetry);

        context.SetCustomStatus(new BillingRunStatus(TaskNames.SubmitInvoiceForCollection, invoiceId, finalized.Number));
        var collection = await context.CallActivityAsync<InvoiceCollection>(TaskNames.SubmitInvoiceForCollection, step, StepRetry);

        context.SetCustomStatus(new BillingRunStatus(TaskNames.EmailInvoice, invoiceId, finalized.Number));
        var emailed = await context.CallActivityAsync<InvoiceEmailed>(
            TaskNames.EmailInvoice, new EmailInvoiceInput(input.TenantId, invoiceId, collection.HostedInvoiceUrl), StepRetry);

        context.SetCustomStatus(new BillingRunStatus("completed", invoiceId, finalized.Number));
        return new BillingRunResult(invoiceId, finalized.Number, finalized.Total.Amount, finalized.Total.Currency, collection.Submitted, emailed.Recipients);
    }
}
