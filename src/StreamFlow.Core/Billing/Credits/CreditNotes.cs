using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Credits;

/// <summary>
/// A credit note the provider issues to a client business: against one finalized invoice (<paramref name="InvoiceId"/>),
/// or, without one, as credit on the business's account that the billing cycle takes off its next invoice(s).
/// </summary>
/// <param name="AmountMinor">The amount in the currency's minor units (cents; yen for JPY): 1 to 1,000,000,000.</param>
/// <param name="Reason">Printed on the credit note: 1 to 500 characters.</param>
public sealed record IssueAccountCreditRequest(long? AmountMinor, string? Reason, Guid? InvoiceId = null);

/// <summary>Where account credit went: the invoice it was taken off, and how much.</summary>
public sealed record CreditApplication(Guid InvoiceId, string? InvoiceNumber, Money Amount, DateTimeOffset AppliedAt);

/// <summary>
/// A credit note as the provider and the business's owner see it. <c>kind</c> is <c>invoice</c> (it corrects
/// <c>invoiceId</c>) or <c>account</c> (credit applied to the next invoices: <c>applied</c> so far, <c>remaining</c> open).
/// <c>issuedBy</c> is <c>provider:&lt;email&gt;</c> or <c>playbook:&lt;id&gt;</c> for the provider; its owner sees
/// <c>provider</c> or <c>playbook</c>.
/// </summary>
public sealed record CreditNoteView(
    Guid Id,
    Guid TenantId,
    string Number,
    string Kind,
    Guid? InvoiceId,
    string? InvoiceNumber,
    Money Amount,
    long AmountMinor,
    string Reason,
    Money Applied,
    Money Remaining,
    IReadOnlyList<CreditApplication> Applications,
    DateTimeOffset IssuedAt,
    string IssuedBy);

/// <summary>A business's credit notes, newest first, and its open account credit per currency.</summary>
public sealed record CreditNoteList(IReadOnlyList<CreditNoteView> Items, IReadOnlyList<Money> OpenCredit);

/// <summary>Converts between minor units and invoice amounts (two decimals at most: see <see cref="Currencies"/>).</summary>
public static class MinorUnits
{
    public const long Max = 1_000_000_000;

    public static decimal ToAmount(long minor, string currency) => minor / Factor(currency);

    public static long FromAmount(decimal amount, string currency) =>
        (long)decimal.Round(amount * Factor(currency), 0, MidpointRounding.AwayFromZero);

    private static decimal Factor(string currency) => Currencies.MinorUnits(currency) switch { 0 => 1m, 3 => 1000m, _ => 100m };
}
