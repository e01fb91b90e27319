namespace StreamFlow.Core.Ai;

/// <summary>Turns token counts into USD with the configured prices (the one price table).</summary>
internal sealed class AiPriceTable
{
    // Stored amounts keep 10 decimals (numeric(20,10)); billing rounds its totals to cents.
    private const int Decimals = 10;
    private const decimal TokensPerPriceUnit = 1_000_000m;

    private readonly Dictionary<string, AiModelPrice> _prices;

    public AiPriceTable(IEnumerable<AiModelPrice> prices)
    {
        _prices = new Dictionary<string, AiModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var price in prices)
        {
            _prices[price.Model] = price;
        }
    }

    public bool Has(string model) => _prices.ContainsKey(model);

    /// <summary>What a finished call cost: cached prompt tokens at the cached price, the rest at full price.</summary>
    public decimal Cost(string model, AiTokenUsage usage)
    {
        var price = _prices[model];
        var cached = Math.Min(usage.CachedInputTokens, usage.InputTokens);
        var cost = ((usage.InputTokens - cached) * price.InputPerMillion
                    + cached * (price.CachedInputPerMillion ?? price.InputPerMillion)
                    + usage.OutputTokens * price.OutputPerMillion) / TokensPerPriceUnit;
        return Math.Round(cost, Decimals, MidpointRounding.AwayFromZero);
    }

    /// <summary>The most a call can cost: every prompt token uncached, every allowed output token generated. Rounded up.</summary>
    public decimal MaximumCost(string model, int promptTokens, int maxOutputTokens)
    {
        var price = _prices[model];
        var cost = (promptTokens * Math.Max(price.InputPerMillion, price.CachedInputPerMillion ?? 0m)
                    + maxOutputTokens * price.OutputPerMillion) / TokensPerPriceUnit;
        return Math.Round(cost, Decimals, MidpointRounding.ToPositiveInfinity);
    }

    public static decimal Billable(decimal cost, decimal markupRate) =>
        Math.Round(cost * (1m + markupRate), Decimals, MidpointRounding.AwayFromZero);
}
