namespace StreamFlow.Core.Billing;

/// <summary>
/// Where a finalized invoice goes to be collected. With Stripe configured it is Stripe (customer, invoice items,
/// invoice, finalize, send — all idempotent, so a resumed billing run may call it again for the same invoice);
/// without it, invoices are only emailed and the provider marks them paid through the API.
/// </summary>
public interface IInvoicePaymentGateway
{
    /// <summary>True when invoices are collected by an external payment service.</summary>
    bool IsConfigured { get; }

    /// <summary>Hands the finalized invoice over for collection; safe to repeat for the same invoice.</summary>
    Task<InvoiceCollection> SubmitAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken);
}

/// <summary>What the payment service answered: its invoice id and hosted page, or that nothing was sent.</summary>
public sealed record InvoiceCollection(bool Submitted, string? ExternalInvoiceId, string? HostedInvoiceUrl);

/// <summary>No external payment service: invoices are emailed and marked paid by the provider.</summary>
internal sealed class EmailOnlyInvoicePayments : IInvoicePaymentGateway
{
    public bool IsConfigured => false;

    public Task<InvoiceCollection> SubmitAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken) =>
        Task.FromResult(new InvoiceCollection(false, null, null));
}
