using StreamFlow.Core.Ai;

namespace StreamFlow.UnitTests.Ai;

public sealed class AiPriceTableTests
{
    private readonly AiPriceTable _prices = new([
        new AiModelPrice { Model = "gpt-4o-mini", InputPerMillion = 0.15m, CachedInputPerMillion = 0.075m, OutputPerMillion = 0.60m },
        new AiModelPrice { Model = "no-cache-price", InputPerMillion = 2m, OutputPerMillion = 8m },
        new AiModelPrice { Model = "tiny", InputPerMillion = 0.00004m, OutputPerMillion = 0.00004m },
    ]);

    [Fact]
    public void Cached_prompt_tokens_cost_the_cached_price_and_the_rest_full_price()
    {
        var cost = _prices.Cost("gpt-4o-mini", new AiTokenUsage(InputTokens: 10_000, CachedInputTokens: 4_000, OutputTokens: 2_000));

        Assert.Equal(0.0009m + 0.0003m + 0.0012m, cost);
    }

    [Fact]
    public void Without_a_cached_price_cached_tokens_cost_the_input_price()
    {
        var cost = _prices.Cost("no-cache-price", new AiTokenUsage(1_000, 1_000, 0));

        Assert.Equal(0.002m, cost);
    }

    [Fact]
    public void The_maximum_cost_prices_every_token_at_the_highest_rate_and_rounds_up()
    {
        var maximum = _prices.MaximumCost("gpt-4o-mini", promptTokens: 1_000, maxOutputTokens: 500);
        var belowStoredPrecision = _prices.MaximumCost("tiny", promptTokens: 1, maxOutputTokens: 0);

        Assert.Equal(0.00015m + 0.0003m, maximum);
        Assert.Equal(0.0000000001m, belowStoredPrecision);
        Assert.Equal(0m, _prices.Cost("tiny", new AiTokenUsage(1, 0, 0)));
    }

    [Fact]
    public void Model_names_are_matched_without_regard_to_case()
    {
        Assert.True(_prices.Has("GPT-4o-Mini"));
    }

    [Fact]
    public void Billable_adds_the_markup_to_the_cost()
    {
        Assert.Equal(1.25m, AiPriceTable.Billable(1m, 0.25m));
    }
}
