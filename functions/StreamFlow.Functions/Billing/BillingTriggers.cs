using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Metering;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Billing;

namespace StreamFlow.Functions.Billing;

/// <summary>The one-line trigger shims over the billing cycle classes in StreamFlow.Orchestrations.</summary>
public sealed class BillingTriggers(
    CollectBillingUsageActivity collectUsage,
    PrepareInvoiceDraftActivity prepareDraft,
    FinalizeInvoiceActivity finalize,
    StoreInvoiceDocumentActivity storeDocument,
    SubmitInvoiceForCollectionActivity submit,
    EmailInvoiceActivity emailInvoice)
{
    [Function(TaskNames.BillingCycle)]
    public static Task<BillingRunResult> BillingCycle([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new BillingCycleOrchestrator().RunAsync(context, context.GetInput<BillingRunRequest>()!);

    [Function(TaskNames.CollectBillingUsage)]
    public Task<CollectedUsage> CollectBillingUsage([ActivityTrigger] BillingRunRequest input) =>
        collectUsage.RunAsync(new FunctionActivityContext(TaskNames.CollectBillingUsage), input);

    [Function(TaskNames.PrepareInvoiceDraft)]
    public Task<InvoiceDraft> PrepareInvoiceDraft([ActivityTrigger] BillingRunRequest input) =>
        prepareDraft.RunAsync(new FunctionActivityContext(TaskNames.PrepareInvoiceDraft), input);

    [Function(TaskNames.FinalizeInvoice)]
    public Task<FinalizedInvoice> FinalizeInvoice([ActivityTrigger] InvoiceStepInput input) =>
        finalize.RunAsync(new FunctionActivityContext(TaskNames.FinalizeInvoice), input);

    [Function(TaskNames.StoreInvoiceDocument)]
    public Task<string> StoreInvoiceDocument([ActivityTrigger] InvoiceStepInput input) =>
        storeDocument.RunAsync(new FunctionActivityContext(TaskNames.StoreInvoiceDocument), input);

    [Function(TaskNames.SubmitInvoiceForCollection)]
    public Task<InvoiceCollection> SubmitInvoiceForCollection([ActivityTrigger] InvoiceStepInput input) =>
        submit.RunAsync(new FunctionActivityContext(TaskNames.SubmitInvoiceForCollection), input);

    [Function(TaskNames.EmailInvoice)]
    public Task<InvoiceEmailed> EmailInvoice([ActivityTrigger] EmailInvoiceInput input) =>
        emailInvoice.RunAsync(new FunctionActivityContext(TaskNames.EmailInvoice), input);
}
