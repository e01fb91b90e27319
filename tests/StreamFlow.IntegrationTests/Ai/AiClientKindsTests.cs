using Azure.Core;
using StreamFlow.Core.Ai;

namespace StreamFlow.IntegrationTests.Ai;

/// <summary>
/// Each kind of deployment through its own SDK client against the fake server: OpenAI-compatible endpoints through the
/// OpenAI client, Azure deployments through AzureOpenAIClient with an API key or the managed identity's token.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class AiClientKindsTests(TestServices services)
{
    [Fact]
    public async Task An_OpenAI_compatible_endpoint_is_called_on_its_own_path_with_a_bearer_key()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Warm lead.");
        await using var host = AiGatewayHost.Start(services, [("compatible", upstream.BaseUrl)]);

        var answer = await CompleteAsync(host);

        Assert.Equal("Warm lead.", answer);
        var (_, apiKey, authorization) = upstream.RequestAuthentication.Single();
        Assert.Null(apiKey);
        Assert.Equal("Bearer sk-test", authorization);
    }

    [Fact]
    public async Task An_Azure_deployment_with_a_key_is_called_on_the_deployment_path_with_the_api_key_header()
    {
        using var upstream = FakeOpenAi.Azure(AiGatewayHost.Model).AnswersWith("Warm lead.");
        await using var host = AiGatewayHost.Start(services, [("azure", upstream.BaseUrl)], Azure(apiKey: "azure-key"));

        var answer = await CompleteAsync(host);

        Assert.Equal("Warm lead.", answer);
        var (query, apiKey, authorization) = upstream.RequestAuthentication.Single();
        Assert.StartsWith("api-version=", query, StringComparison.Ordinal);
        Assert.Equal("azure-key", apiKey);
        Assert.Null(authorization);
    }

    [Fact]
    public async Task An_Azure_deployment_without_a_key_signs_in_with_the_managed_identity()
    {
        using var upstream = FakeOpenAi.Azure(AiGatewayHost.Model).AnswersWith("Warm lead.");
        var identity = new FakeManagedIdentity();
        await using var host = AiGatewayHost.Start(services, [("azure", upstream.BaseUrl)], Azure(apiKey: ""), azureCredential: identity);

        var answer = await CompleteAsync(host);

        Assert.Equal("Warm lead.", answer);
        var (query, apiKey, authorization) = upstream.RequestAuthentication.Single();
        Assert.StartsWith("api-version=", query, StringComparison.Ordinal);
        Assert.Null(apiKey);
        Assert.Equal($"Bearer {FakeManagedIdentity.Token}", authorization);
        Assert.Contains("https://cognitiveservices.azure.com/.default", identity.RequestedScopes);
    }

    [Fact]
    public async Task An_Azure_deployment_streams_through_AzureOpenAIClient()
    {
        using var upstream = FakeOpenAi.Azure(AiGatewayHost.Model).StreamsWith([" Warm", " lead."], promptTokens: 12, completionTokens: 3);
        await using var host = AiGatewayHost.Start(services, [("azure", upstream.BaseUrl)], Azure(apiKey: "azure-key"));
        var tenant = await host.CreateTenantAsync();

        var started = await host.Gateway.StreamAsync(AiGatewayHost.Request(tenant, "Score this lead.", feature: AiFeatures.Assistant), CancellationToken.None);
        await using var stream = started.Value!;
        var received = new List<string>();
        await foreach (var delta in stream)
        {
            received.Add(delta);
        }

        Assert.Equal([" Warm", " lead."], received);
        Assert.Equal(new AiTokenUsage(12, 0, 3), (await stream.Completion).Usage);
    }

    private static Dictionary<string, string?> Azure(string apiKey) => new()
    {
        ["Ai:Deployments:0:Kind"] = nameof(AiDeploymentKind.AzureOpenAI),
        ["Ai:Deployments:0:ApiKey"] = apiKey,
    };

    private static async Task<string> CompleteAsync(AiGatewayHost host)
    {
        var tenant = await host.CreateTenantAsync();
        var result = await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);
        Assert.True(result.Succeeded, result.Problem?.Detail);
        return result.Value.Text;
    }

    /// <summary>Stands in for the app's managed identity: hands out a fixed token and remembers the scopes asked for.</summary>
    private sealed class FakeManagedIdentity : TokenCredential
    {
        public const string Token = "managed-identity-token";

        private readonly List<string> _scopes = [];

        public IReadOnlyList<string> RequestedScopes
        {
            get
            {
                lock (_scopes)
                {
                    return [.. _scopes];
                }
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (_scopes)
            {
                _scopes.AddRange(requestContext.Scopes);
            }

            return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
