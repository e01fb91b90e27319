using StreamFlow.Core.Ai;

namespace StreamFlow.UnitTests.Ai;

public sealed class AiOptionsValidatorTests
{
    private readonly AiOptionsValidator _validator = new();

    [Fact]
    public void No_deployments_is_a_valid_configuration_with_AI_off()
    {
        Assert.True(_validator.Validate(null, new AiOptions()).Succeeded);
    }

    [Fact]
    public void A_routed_model_without_a_price_is_refused()
    {
        var options = Configured();
        options.Prices.Clear();

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("no price for model 'gpt-4o-mini'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fallback_that_names_an_unknown_deployment_is_refused()
    {
        var options = Configured();
        options.FallbackDeployments.Add("missing");

        var result = _validator.Validate(null, options);

        Assert.Contains("deployment 'missing'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_complete_configuration_is_accepted()
    {
        Assert.True(_validator.Validate(null, Configured()).Succeeded);
    }

    private static AiOptions Configured() => new()
    {
        Deployments = [new AiDeploymentOptions { Name = "azure", Kind = AiDeploymentKind.AzureOpenAI, Endpoint = "https://contoso.openai.azure.com", Model = "gpt-4o-mini" }],
        Prices = [new AiModelPrice { Model = "gpt-4o-mini", InputPerMillion = 0.15m, OutputPerMillion = 0.6m }],
    };
}
