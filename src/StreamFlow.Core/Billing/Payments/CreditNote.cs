using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Payments;

/// <summary>A correction to a finalized invoice: lowers what is owed, never below zero.</summary>
public sealed record CreditNote(Guid Id, Guid InvoiceId, string Number, Money Amount, string Reason, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>The credit note and the invoice as it stands after it.</summary>
public sealed record CreditNoteIssued(CreditNote CreditNote, Invoice Invoice);

/// <summary>
/// The data of the <c>credit_note.issued</c> webhook event (docs/webhooks.md), queued in the transaction that issues the
/// credit note. <paramref name="IssuedBy"/> is who on the provider's side, without the person: <c>provider</c> or <c>playbook</c>.
/// </summary>
public sealed record CreditNoteIssuedEvent(
    Guid CreditNoteId, string Number, string Kind, Guid? InvoiceId, string? InvoiceNumber, Money Amount, string Reason, string IssuedBy, DateTimeOffset IssuedAt)
{
    public static string IssuerKind(string actor) => actor.Split(':', 2)[0];
}

/// <summary>The provider records a payment made outside Stripe (bank transfer, cheque).</summary>
/// <param name="PaidAt">When the money arrived; now when omitted. Never in the future.</param>
/// <param name="Reference">The bank or cheque reference, shown on the invoice.</param>
public sealed record MarkInvoicePaidRequest(DateTimeOffset? PaidAt, string? Reference);

/// <summary>A credit note to issue against an invoice, in the invoice's currency.</summary>
public sealed record IssueCreditNoteRequest(decimal? Amount, string? Reason);
