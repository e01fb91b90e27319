using System.Globalization;
using System.Text;
using StreamFlow.Core.Email;

namespace StreamFlow.Core.FieldOps.Quotes;

/// <summary>The mail that carries a quote to its customer: the figures, the approval link and the quote as a PDF.</summary>
internal static class QuoteEmail
{
    public static EmailMessage Compose(Guid tenantId, string to, CustomerQuote quote, string approvalUrl, byte[] pdf)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Hello {quote.CustomerName},\n\n")
            .Append(CultureInfo.InvariantCulture, $"{quote.Business} sent you quote {quote.Number} for {quote.Title} at {quote.ServiceAddress}.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Total: {quote.Totals.Total.Amount} {quote.Currency}");
        if (quote.Totals.Deposit.Amount is not ("0.00" or "0"))
        {
            text.Append(CultureInfo.InvariantCulture, $" (deposit on approval: {quote.Totals.Deposit.Amount} {quote.Currency})");
        }

        text.Append(CultureInfo.InvariantCulture, $"\n\nReview, approve or decline it here until {quote.LinkExpiresAt:yyyy-MM-dd}:\n{approvalUrl}\n\n")
            .Append("The link works once: approving or declining closes it. The quote is attached as a PDF.\n");
        return new EmailMessage(to, $"Quote {quote.Number} from {quote.Business}", text.ToString(),
            Attachments: [new EmailAttachment($"quote-{quote.Number}-v{quote.Version}.pdf", "application/pdf", pdf)], BrandTenantId: tenantId);
    }
}
