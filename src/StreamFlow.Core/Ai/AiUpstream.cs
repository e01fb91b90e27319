using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Core;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace StreamFlow.Core.Ai;

/// <summary>What an upstream answered; <see cref="Usage"/> is null when it reported none.</summary>
internal sealed record AiUpstreamAnswer(string Text, string? FinishReason, AiTokenUsage? Usage);

/// <summary>
/// One upstream deployment: its SDK client (AzureOpenAIClient for Azure, the OpenAI client for OpenAI-compatible
/// endpoints) and its resilience pipeline (retries with backoff that honour Retry-After, then a circuit breaker of its
/// own). Timeouts per attempt run on <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AiUpstream
{
    private readonly ChatClient _client;
    private readonly ResiliencePipeline _pipeline;
    private readonly AiResilienceOptions _resilience;
    private readonly TimeProvider _timeProvider;

    public AiUpstream(
        AiDeploymentOptions deployment, AiResilienceOptions resilience, TokenCredential azureCredential, TimeProvider timeProvider, ILogger logger)
    {
        Name = deployment.Name;
        Model = deployment.PriceModel;
        _resilience = resilience;
        _timeProvider = timeProvider;
        _client = deployment.Kind == AiDeploymentKind.AzureOpenAI
            ? CreateAzureClient(deployment, resilience, azureCredential)
            : CreateOpenAIClient(deployment, resilience);
        _pipeline = CreatePipeline(deployment.Name, resilience, timeProvider, logger);
    }

    public string Name { get; }

    /// <summary>The model as priced and recorded in the ledger.</summary>
    public string Model { get; }

    public Task<AiUpstreamAnswer> CompleteAsync(IReadOnlyList<AiMessage> messages, int maxOutputTokens, float temperature, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            static async (state, token) => await state.Upstream.AttemptAsync(state.Messages, state.Options, token),
            (Upstream: this, Messages: ToChatMessages(messages), Options: ChatOptions(maxOutputTokens, temperature)),
            cancellationToken).AsTask();

    /// <summary>Opens a stream and waits for its first chunk, so that failures before any text can still fall back.</summary>
    public Task<AiUpstreamStream> OpenStreamAsync(IReadOnlyList<AiMessage> messages, int maxOutputTokens, float temperature, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            static async (state, _) => await state.Upstream.OpenStreamAttemptAsync(state.Messages, state.Options, state.Token),
            (Upstream: this, Messages: ToChatMessages(messages), Options: ChatOptions(maxOutputTokens, temperature), Token: cancellationToken),
            cancellationToken).AsTask();

    private async Task<AiUpstreamAnswer> AttemptAsync(List<ChatMessage> messages, ChatCompletionOptions options, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_resilience.AttemptTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            ChatCompletion completion = await _client.CompleteChatAsync(messages, options, linked.Token);
            var text = string.Concat(completion.Content.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text));
            return new AiUpstreamAnswer(text, FinishReasonName(completion.FinishReason), ToUsage(completion.Usage));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AiUpstreamTimeoutException(Name);
        }
    }

    private async Task<AiUpstreamStream> OpenStreamAttemptAsync(List<ChatMessage> messages, ChatCompletionOptions options, CancellationToken cancellationToken)
    {
        // Owned by the stream once it is open: it re-arms the timer before every chunk (idle timeout).
        var timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var updates = _client.CompleteChatStreamingAsync(messages, options, linked.Token).GetAsyncEnumerator(linked.Token);
        var stream = new AiUpstreamStream(Name, updates, timeout, linked, _resilience.StreamIdleTimeout, cancellationToken);
        try
        {
            await stream.ReadFirstAsync(_resilience.AttemptTimeout);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    internal static AiTokenUsage? ToUsage(ChatTokenUsage? usage) =>
        usage is null ? null : new AiTokenUsage(usage.InputTokenCount, usage.InputTokenDetails?.CachedTokenCount ?? 0, usage.OutputTokenCount);

    internal static string? FinishReasonName(ChatFinishReason? reason) => reason switch
    {
        null => null,
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ContentFilter => "content_filter",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.FunctionCall => "function_call",
        _ => reason.ToString()!.ToLowerInvariant(),
    };

    private static ChatCompletionOptions ChatOptions(int maxOutputTokens, float temperature) =>
        new() { MaxOutputTokenCount = maxOutputTokens, Temperature = temperature };

    private static List<ChatMessage> ToChatMessages(IReadOnlyList<AiMessage> messages) =>
        messages.Select(ChatMessage (message) => message.Role switch
        {
            AiMessageRole.System => new SystemChatMessage(message.Content),
            AiMessageRole.Assistant => new AssistantChatMessage(message.Content),
            _ => new UserChatMessage(message.Content),
        }).ToList();

    private static ChatClient CreateOpenAIClient(AiDeploymentOptions deployment, AiResilienceOptions resilience)
    {
        var options = Configure(new OpenAIClientOptions { Endpoint = EndpointFor(deployment), UserAgentApplicationId = "streamflow" }, resilience);

        // OpenAI-compatible servers without authentication still need a credential object.
        return new ChatClient(deployment.Model, new ApiKeyCredential(string.IsNullOrEmpty(deployment.ApiKey) ? "none" : deployment.ApiKey), options);
    }

    /// <summary>The deployment name is the model; without an API key the app's managed identity signs in.</summary>
    private static ChatClient CreateAzureClient(AiDeploymentOptions deployment, AiResilienceOptions resilience, TokenCredential credential)
    {
        var options = Configure(new AzureOpenAIClientOptions { UserAgentApplicationId = "streamflow" }, resilience);
        var client = string.IsNullOrEmpty(deployment.ApiKey)
            ? new AzureOpenAIClient(EndpointFor(deployment), credential, options)
            : new AzureOpenAIClient(EndpointFor(deployment), new ApiKeyCredential(deployment.ApiKey), options);
        return client.GetChatClient(deployment.Model);
    }

    private static T Configure<T>(T options, AiResilienceOptions resilience)
        where T : ClientPipelineOptions
    {
        // Retries belong to the gateway's pipeline, where they are counted by the circuit breaker.
        options.RetryPolicy = new ClientRetryPolicy(maxRetries: 0);
        // A backstop only: the gateway's own per-attempt and idle timeouts are shorter.
        options.NetworkTimeout = resilience.AttemptTimeout + resilience.StreamIdleTimeout;
        // Prompts and answers never reach a log, whatever logging the host turns on.
        options.ClientLoggingOptions = new ClientLoggingOptions { EnableLogging = false, EnableMessageContentLogging = false };
        return options;
    }

    /// <summary>
    /// AzureOpenAIClient takes the resource (<c>https://NAME.openai.azure.com</c>) and builds the deployment paths itself;
    /// a configured <c>/openai/...</c> suffix is dropped. OpenAI-compatible endpoints are used as given.
    /// </summary>
    internal static Uri EndpointFor(AiDeploymentOptions deployment)
    {
        var endpoint = deployment.Endpoint.TrimEnd('/');
        if (deployment.Kind == AiDeploymentKind.AzureOpenAI)
        {
            var suffix = endpoint.IndexOf("/openai", StringComparison.OrdinalIgnoreCase);
            endpoint = suffix >= 0 ? endpoint[..suffix] : endpoint;
        }

        return new Uri(endpoint + "/");
    }

    private static ResiliencePipeline CreatePipeline(string name, AiResilienceOptions options, TimeProvider timeProvider, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder { Name = $"ai-{name}", TimeProvider = timeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryAfter,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } exception
                    && AiUpstreamErrors.IsTransient(exception)
                    && !(AiUpstreamErrors.RetryAfter(exception, timeProvider.GetUtcNow()) > options.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is { } exception
                    ? AiUpstreamErrors.RetryAfter(exception, timeProvider.GetUtcNow())
                    : null),
                OnRetry = args =>
                {
                    logger.LogWarning(
                        "AI deployment {Deployment} failed (status {Status}, {ErrorType}); retry {Attempt} in {RetryDelay}",
                        name, args.Outcome.Exception is { } e ? AiUpstreamErrors.Status(e) : null, args.Outcome.Exception?.GetType().Name,
                        args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } exception && AiUpstreamErrors.IsTransient(exception)),
                OnOpened = args =>
                {
                    logger.LogWarning("AI deployment {Deployment} circuit opened for {BreakDuration}", name, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    logger.LogInformation("AI deployment {Deployment} circuit half-open: probing", name);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("AI deployment {Deployment} circuit closed", name);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}

/// <summary>An open upstream stream. Chunks are read one by one; each read gets the idle timeout.</summary>
internal sealed class AiUpstreamStream(
    string deployment,
    IAsyncEnumerator<StreamingChatCompletionUpdate> updates,
    CancellationTokenSource timeout,
    CancellationTokenSource linked,
    TimeSpan idleTimeout,
    CancellationToken callerToken) : IAsyncDisposable
{
    private bool _disposed;
    private volatile bool _cancelledByConsumer;

    /// <summary>The chunk read while opening (the upstream has answered with it).</summary>
    public StreamingChatCompletionUpdate? First { get; private set; }

    /// <summary>True once the consumer went away (or the token the stream was started with was cancelled).</summary>
    public bool CancelledByConsumer => _cancelledByConsumer || callerToken.IsCancellationRequested;

    public void ThrowIfCancelled() => callerToken.ThrowIfCancellationRequested();

    /// <summary>Cancels the upstream request: the consumer went away.</summary>
    public void Cancel()
    {
        _cancelledByConsumer = true;
        linked.Cancel();
    }

    internal async Task ReadFirstAsync(TimeSpan attemptTimeout) => First = await NextAsync(attemptTimeout);

    /// <summary>The next chunk, or null at the end of the stream.</summary>
    public Task<StreamingChatCompletionUpdate?> NextAsync() => NextAsync(idleTimeout);

    private async Task<StreamingChatCompletionUpdate?> NextAsync(TimeSpan wait)
    {
        timeout.CancelAfter(wait);
        try
        {
            return await updates.MoveNextAsync() ? updates.Current : null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            throw new AiUpstreamTimeoutException(deployment);
        }
        finally
        {
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await updates.DisposeAsync();
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            // Closing a response that was cancelled or broke: nothing is left to clean up.
        }
        finally
        {
            linked.Dispose();
            timeout.Dispose();
        }
    }
}
