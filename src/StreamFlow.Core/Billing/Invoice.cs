using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing;

/// <summary>The billing period [Start, End): End is the first day of the next period.</summary>
public sealed record BillingPeriod(DateOnly Start, DateOnly End)
{
    public int Days => End.DayNumber - Start.DayNumber;
}

/// <summary>Invoice states. Draft is the only one whose amounts may change; the rest are finalized.</summary>
public static class InvoiceStatus
{
    public const string Draft = "draft";
    public const string Open = "open";
    public const string Paid = "paid";
    public const string PaymentFailed = "payment_failed";
    public const string Uncollectible = "uncollectible";
    public const string Void = "void";
}

/// <summary>What an invoice line charges for (the line_type column).</summary>
public static class InvoiceLineType
{
    public const string BaseFee = "base_fee";
    public const string Seats = "seats";
    public const string LeadOverage = "lead_overage";
    public const string AiUsage = "ai_usage";
    public const string Discount = "discount";
}

public sealed record InvoiceLine(
    int Position,
    string LineType,
    string Description,
    decimal Quantity,
    decimal UnitAmount,
    Money Amount,
    DateOnly PeriodStart,
    DateOnly PeriodEnd);

/// <summary>An invoice as the API shows it: money as decimal strings with the currency (docs/api-conventions.md).</summary>
public sealed record Invoice(
    Guid Id,
    Guid TenantId,
    string? Number,
    string Status,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Currency,
    Money Subtotal,
    Money DiscountTotal,
    decimal TaxRate,
    Money TaxTotal,
    Money Total,
    Money CreditedTotal,
    Money AmountDue,
    DateTimeOffset? IssuedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? PaidAt,
    string? PaymentReference,
    string? StripeInvoiceId,
    DateTimeOffset? EmailedAt,
    IReadOnlyList<InvoiceLine> Lines);

public sealed record InvoicePage(IReadOnlyList<Invoice> Items, string? NextCursor);
