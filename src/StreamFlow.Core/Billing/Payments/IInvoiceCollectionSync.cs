namespace StreamFlow.Core.Billing.Payments;

/// <summary>
/// Tells the payment service about what the provider decided here, so that it collects the right amount or stops: an
/// invoice paid outside it (bank transfer), a credit note, a void. Without a payment service there is nothing to tell.
/// </summary>
public interface IInvoiceCollectionSync
{
    Task PaidOutOfBandAsync(Guid tenantId, Guid invoiceId, string externalInvoiceId, CancellationToken cancellationToken);

    /// <summary>Lowers what the external invoice asks for (open), or records the credit as settled outside it (paid).</summary>
    Task CreditAsync(Guid invoiceId, string externalInvoiceId, CreditNote creditNote, CancellationToken cancellationToken);

    Task VoidAsync(Guid tenantId, Guid invoiceId, string externalInvoiceId, CancellationToken cancellationToken);
}

internal sealed class NoInvoiceCollectionSync : IInvoiceCollectionSync
{
    public Task PaidOutOfBandAsync(Guid tenantId, Guid invoiceId, string externalInvoiceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CreditAsync(Guid invoiceId, string externalInvoiceId, CreditNote creditNote, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task VoidAsync(Guid tenantId, Guid invoiceId, string externalInvoiceId, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// The payment service refused the invoice for a reason a retry cannot fix (a wrong API key, a customer without an
/// email, an invalid parameter): the billing run should stop retrying this step and the provider must look.
/// Rate limits and the service's own errors are not this: they are thrown as they are, to be retried.
/// </summary>
public sealed class InvoiceCollectionRejectedException(string message, Exception? innerException = null) : Exception(message, innerException);
