using System.Text;
using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace StreamFlow.IntegrationTests.Ai;

/// <summary>
/// A local chat completions server (WireMock) answering like the real API: OpenAI's paths by default, or Azure OpenAI's
/// deployment paths (<c>/openai/deployments/{deployment}/chat/completions?api-version=...</c>).
/// </summary>
internal sealed class FakeOpenAi : IDisposable
{
    public const string CompletionsPath = "/v1/chat/completions";

    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly string _completionsPath;
    private readonly string _basePath;

    public FakeOpenAi()
        : this(CompletionsPath, "/v1")
    {
    }

    private FakeOpenAi(string completionsPath, string basePath)
    {
        _completionsPath = completionsPath;
        _basePath = basePath;
    }

    /// <summary>An Azure OpenAI resource serving one deployment; <see cref="BaseUrl"/> is the resource endpoint.</summary>
    public static FakeOpenAi Azure(string deployment) => new($"/openai/deployments/{deployment}/chat/completions", "");

    public string BaseUrl => _server.Url + _basePath;

    public int Requests => Received.Count();

    public IReadOnlyList<string> RequestBodies => Received.Select(request => request.Body ?? "").ToList();

    /// <summary>The query and the authentication headers (api-key, Authorization) of every request received, in order.</summary>
    public IReadOnlyList<(string? Query, string? ApiKey, string? Authorization)> RequestAuthentication =>
        Received.Select(request => (request.RawQuery?.TrimStart('?'), Header(request, "api-key"), Header(request, "Authorization"))).ToList();

    private IEnumerable<WireMock.IRequestMessage> Received =>
        _server.LogEntries.Select(entry => entry.RequestMessage).Where(request => request.Path == _completionsPath);

    private static string? Header(WireMock.IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    public FakeOpenAi AnswersWith(string text, int promptTokens = 20, int completionTokens = 10, int cachedTokens = 0, TimeSpan? delay = null)
    {
        _server.ResetMappings();
        var response = Response.Create()
            .WithStatusCode(200)
            .WithHeader("Content-Type", "application/json")
            .WithBody(CompletionJson(text, promptTokens, completionTokens, cachedTokens));
        if (delay is { } wait)
        {
            response = response.WithDelay(wait);
        }

        _server.Given(Completions()).RespondWith(response);
        return this;
    }

    public FakeOpenAi FailsWith(int status, string? retryAfter = null)
    {
        _server.ResetMappings();
        _server.Given(Completions()).RespondWith(Error(status, retryAfter));
        return this;
    }

    /// <summary>The first request gets <paramref name="status"/> (with Retry-After), every later one the answer.</summary>
    public FakeOpenAi FailsOnceThenAnswers(int status, string retryAfter, string text)
    {
        _server.ResetMappings();
        _server.Given(Completions()).InScenario("once").WillSetStateTo("failed").RespondWith(Error(status, retryAfter));
        _server.Given(Completions()).InScenario("once").WhenStateIs("failed").RespondWith(Response.Create()
            .WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(CompletionJson(text, 20, 10, 0)));
        return this;
    }

    /// <summary>An SSE stream of <paramref name="deltas"/>, then the finish chunk and (stream_options.include_usage) the usage chunk.</summary>
    public FakeOpenAi StreamsWith(IReadOnlyList<string> deltas, int promptTokens, int completionTokens)
    {
        _server.ResetMappings();
        _server.Given(Completions()).RespondWith(Response.Create()
            .WithStatusCode(200)
            .WithHeader("Content-Type", "text/event-stream")
            .WithHeader("Cache-Control", "no-cache")
            .WithBody(SseBody(deltas, promptTokens, completionTokens)));
        return this;
    }

    public void Dispose() => _server.Stop();

    private IRequestBuilder Completions() => Request.Create().WithPath(_completionsPath).UsingPost();

    private static IResponseBuilder Error(int status, string? retryAfter)
    {
        var response = Response.Create()
            .WithStatusCode(status)
            .WithHeader("Content-Type", "application/json")
            .WithBody(JsonSerializer.Serialize(new
            {
                error = new { message = status == 429 ? "Rate limit reached for requests" : "The server had an error while processing your request.", type = status == 429 ? "requests" : "server_error", param = (string?)null, code = (string?)null },
            }));
        return retryAfter is null ? response : response.WithHeader("Retry-After", retryAfter);
    }

    internal static string CompletionJson(string text, int promptTokens, int completionTokens, int cachedTokens) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24],
        @object = "chat.completion",
        created = 1_764_000_000,
        model = "gpt-4o-mini-2024-07-18",
        choices = new[]
        {
            new { index = 0, message = new { role = "assistant", content = text, refusal = (string?)null }, logprobs = (object?)null, finish_reason = "stop" },
        },
        usage = new
        {
            prompt_tokens = promptTokens,
            completion_tokens = completionTokens,
            total_tokens = promptTokens + completionTokens,
            prompt_tokens_details = new { cached_tokens = cachedTokens, audio_tokens = 0 },
            completion_tokens_details = new { reasoning_tokens = 0, audio_tokens = 0, accepted_prediction_tokens = 0, rejected_prediction_tokens = 0 },
        },
        service_tier = "default",
        system_fingerprint = "fp_0ba0d124f1",
    });

    private static string SseBody(IReadOnlyList<string> deltas, int promptTokens, int completionTokens)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        var body = new StringBuilder();
        void Chunk(object delta, string? finishReason) => body.Append("data: ").Append(JsonSerializer.Serialize(new
        {
            id,
            @object = "chat.completion.chunk",
            created = 1_764_000_000,
            model = "gpt-4o-mini-2024-07-18",
            system_fingerprint = "fp_0ba0d124f1",
            choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finishReason } },
            usage = (object?)null,
        })).Append("\n\n");

        Chunk(new { role = "assistant", content = "", refusal = (string?)null }, null);
        foreach (var delta in deltas)
        {
            Chunk(new { content = delta }, null);
        }

        Chunk(new { }, "stop");
        body.Append("data: ").Append(JsonSerializer.Serialize(new
        {
            id,
            @object = "chat.completion.chunk",
            created = 1_764_000_000,
            model = "gpt-4o-mini-2024-07-18",
            system_fingerprint = "fp_0ba0d124f1",
            choices = Array.Empty<object>(),
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        })).Append("\n\n");
        body.Append("data: [DONE]\n\n");
        return body.ToString();
    }
}
