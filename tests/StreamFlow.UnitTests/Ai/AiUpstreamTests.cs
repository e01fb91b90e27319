using StreamFlow.Core.Ai;

namespace StreamFlow.UnitTests.Ai;

public sealed class AiUpstreamTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("https://contoso.openai.azure.com")]
    [InlineData("https://contoso.openai.azure.com/")]
    [InlineData("https://contoso.openai.azure.com/openai/v1")]
    [InlineData("https://contoso.openai.azure.com/openai/")]
    public void Azure_deployments_are_given_to_AzureOpenAIClient_as_the_resource(string endpoint)
    {
        var uri = AiUpstream.EndpointFor(new AiDeploymentOptions { Kind = AiDeploymentKind.AzureOpenAI, Endpoint = endpoint });

        Assert.Equal("https://contoso.openai.azure.com/", uri.ToString());
    }

    [Fact]
    public void OpenAI_compatible_endpoints_are_used_as_given()
    {
        var uri = AiUpstream.EndpointFor(new AiDeploymentOptions { Kind = AiDeploymentKind.OpenAI, Endpoint = "http://127.0.0.1:11434/v1" });

        Assert.Equal("http://127.0.0.1:11434/v1/", uri.ToString());
    }

    [Theory]
    [InlineData(null, "7", 7_000)]
    [InlineData("1500", "7", 1_500)]
    [InlineData(null, "Thu, 26 Nov 2026 12:00:30 GMT", 30_000)]
    [InlineData(null, "Thu, 26 Nov 2026 11:00:00 GMT", 0)]
    public void Retry_after_is_read_from_milliseconds_seconds_or_a_date(string? milliseconds, string retryAfter, int expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), AiUpstreamErrors.ParseRetryAfter(milliseconds, retryAfter, Now));
    }

    [Fact]
    public void No_or_unreadable_retry_after_leaves_the_backoff_to_the_gateway()
    {
        Assert.Null(AiUpstreamErrors.ParseRetryAfter(null, null, Now));
        Assert.Null(AiUpstreamErrors.ParseRetryAfter(null, "soon", Now));
    }
}
