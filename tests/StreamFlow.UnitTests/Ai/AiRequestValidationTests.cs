using StreamFlow.Core.Ai;

namespace StreamFlow.UnitTests.Ai;

public sealed class AiRequestValidationTests
{
    private static readonly AiOptions Options = new() { MaxOutputTokensLimit = 1000, MaxPromptCharacters = 50 };

    [Fact]
    public void A_well_formed_request_passes()
    {
        Assert.Null(AiRequestValidation.Validate(Request(), Options));
    }

    [Fact]
    public void Every_invalid_field_is_reported_at_once()
    {
        var problem = AiRequestValidation.Validate(
            Request() with { TenantId = Guid.Empty, Feature = "Bad Feature", MaxOutputTokens = 0, Temperature = 3f }, Options);

        Assert.Equal(["feature", "maxOutputTokens", "temperature", "tenantId"], problem!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_prompt_over_the_character_limit_is_refused()
    {
        var problem = AiRequestValidation.Validate(Request() with { Messages = [new AiMessage(AiMessageRole.User, new string('x', 51))] }, Options);

        Assert.Equal(["messages"], problem!.Errors!.Keys);
    }

    private static AiRequest Request() =>
        new(Guid.CreateVersion7(), null, AiFeatures.Scoring, [new AiMessage(AiMessageRole.User, "Score it.")], 100, 0f);
}
