using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.Invoicing;

public static class CustomerInvoiceStatus
{
    public const string Draft = "draft";
    public const string Sent = "sent";
    public const string Paid = "paid";
    public const string Void = "void";

    public static readonly string[] All = [Draft, Sent, Paid, Void];

    /// <summary>draft → sent → paid; a draft or a sent invoice can be voided; paid and void are final.</summary>
    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Draft, Sent) or (Sent, Paid) or (Draft or Sent, Void) => true,
        _ => false,
    };
}

/// <summary>
/// What to invoice: completed visits (1 to 50); <see cref="LabourRate"/> per technician-hour bills each visit's
/// planned duration for each technician on it; <see cref="TaxRate"/> (percent) defaults to the approved quote's, else 0.
/// </summary>
public sealed record CustomerInvoiceInput(
    IReadOnlyList<Guid>? VisitIds, Money? LabourRate, decimal? TaxRate, bool? TaxLabour, int? DueInDays, string? Notes);

public sealed record CustomerInvoiceLine(
    string Kind, string Description, decimal Quantity, Money UnitPrice, Money Amount, bool Taxable, Guid? VisitId, Guid? QuoteId);

/// <summary>An invoice of the business to its customer.</summary>
public sealed record CustomerInvoice(
    Guid Id, string Number, string Status, string CustomerName, string Currency, decimal TaxRate, IReadOnlyList<CustomerInvoiceLine> Lines,
    Money Subtotal, Money Tax, Money Total, IReadOnlyList<Guid> VisitIds, string? Notes, DateOnly DueOn, DateTimeOffset? SentAt,
    DateTimeOffset? PaidAt, DateTimeOffset? VoidedAt, string? VoidReason, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CustomerInvoicePage(IReadOnlyList<CustomerInvoice> Items, string? NextCursor);

/// <summary>A move of an invoice: to sent, paid or void (with an optional reason).</summary>
public sealed record CustomerInvoiceStatusChange(string? Status, string? Reason);
