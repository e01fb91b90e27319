namespace StreamFlow.Core.Billing;

/// <summary>Billing settings (section <c>Billing</c>).</summary>
public sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary>Tax rate in percent for clients whose pricing names none.</summary>
    public decimal TaxRatePercent { get; set; }

    /// <summary>Days from issue to due date.</summary>
    public int PaymentTermsDays { get; set; } = 14;

    /// <summary>Units of each currency one US dollar buys (EUR: 0.92); AI usage is recorded in USD.</summary>
    public Dictionary<string, decimal> UsdExchangeRates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The provider's name as it heads the invoice.</summary>
    public string ProviderName { get; set; } = "StreamCore";

    /// <summary>How to pay, printed on every invoice and in its email (bank details, a payment page).</summary>
    public string PaymentInstructions { get; set; } = "Please pay by bank transfer within the payment terms, quoting the invoice number.";

    /// <summary>The USD → currency rate, 1 for USD, null when none is configured.</summary>
    public decimal? UsdRateFor(string currency) =>
        currency == "USD" ? 1m : UsdExchangeRates.TryGetValue(currency, out var rate) && rate > 0 ? rate : null;
}
