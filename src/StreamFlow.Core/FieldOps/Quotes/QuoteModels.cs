using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.Quotes;

/// <summary>One priced line: <c>unitPrice</c> is a decimal string in the quote's currency; an optional line counts only when the customer selects it.</summary>
public sealed record QuoteLineInput(string? Description, decimal? Quantity, string? UnitPrice, bool? Optional, bool? Selected, bool? Taxable);

/// <summary>
/// A quote as the office writes it. <c>taxRate</c> is a percent (8.25); <c>deposit</c> is the amount asked up front;
/// the service address and its coordinates become the job's when the customer approves.
/// </summary>
public sealed record QuoteInput(
    string? Title, string? CustomerName, string? CustomerEmail, string? ServiceAddress, Location? Location, string? Currency,
    IReadOnlyList<QuoteLineInput>? Lines, decimal? TaxRate, string? Deposit, string? Message, DateOnly? ValidUntil)
{
    /// <summary>No content: a revision without a body copies the version it revises.</summary>
    public static QuoteInput Empty { get; } = new(null, null, null, null, null, null, null, null, null, null, null);
}

public sealed record QuoteLine(string Description, decimal Quantity, Money UnitPrice, Money Amount, bool Optional, bool Selected, bool Taxable);

public sealed record QuoteTotals(Money Subtotal, Money Tax, Money Total, Money Deposit);

/// <summary>The deposit asked for (at most the total), what the recorded deposit payments add up to, and what is still due.</summary>
public sealed record QuoteDepositSummary(Money Requested, Money Paid, Money Due, int Payments, DateTimeOffset? LastPaidAt);

public static class QuoteStatus
{
    public static readonly string[] All = [Draft, Sent, Approved, Declined, Superseded];

    public const string Draft = "draft";
    public const string Sent = "sent";
    public const string Approved = "approved";
    public const string Declined = "declined";
    public const string Superseded = "superseded";
}

/// <summary>A quote: one version of Q-<c>number</c>, its lines and totals, where it stands and what came of it.</summary>
public sealed record Quote(
    Guid Id, Guid LeadId, string Number, int Version, string Status, string Title, string CustomerName, string? CustomerEmail,
    string ServiceAddress, Location Location, string Currency, IReadOnlyList<QuoteLine> Lines, decimal TaxRate, QuoteTotals Totals,
    QuoteDepositSummary Deposit, string? Message, DateOnly? ValidUntil, DateTimeOffset? SentAt, DateTimeOffset? LinkExpiresAt, DateTimeOffset? DecidedAt,
    string? DecidedByName, string? DeclineReason, Guid? JobId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record QuotePage(IReadOnlyList<Quote> Items, string? NextCursor);

/// <summary>Sends the quote: to <c>email</c> (else the quote's customer email), the link valid for <c>linkValidDays</c> (default 30).</summary>
public sealed record QuoteSendInput(string? Email, int? LinkValidDays);

/// <summary>What the customer sees behind the link: no internal ids but the quote's, no other record of the business.</summary>
public sealed record CustomerQuote(
    string Business, string Number, int Version, string Status, string Title, string CustomerName, string ServiceAddress, string Currency,
    IReadOnlyList<QuoteLine> Lines, decimal TaxRate, QuoteTotals Totals, string? Message, DateOnly? ValidUntil, DateTimeOffset LinkExpiresAt);

/// <summary>The emailed link's token: what the customer's page sends to read the quote.</summary>
public sealed record QuoteLinkInput(string? Token);

/// <summary>The customer's approval: the link's token, the name they sign with and the optional lines they want (by index, 0-based).</summary>
public sealed record QuoteApprovalInput(string? Token, string? Name, IReadOnlyList<int>? SelectedOptionalLines);

public sealed record QuoteDeclineInput(string? Token, string? Reason);

/// <summary>The approved quote with the job it created and the lead now won.</summary>
public sealed record QuoteApproved(CustomerQuote Quote, Guid JobId);
