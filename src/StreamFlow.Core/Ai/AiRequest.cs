using System.Text.RegularExpressions;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Ai;

public enum AiMessageRole
{
    System,
    User,
    Assistant,
}

public sealed record AiMessage(AiMessageRole Role, string Content);

/// <summary>The features that call the gateway; the ledger groups usage by them. Others may be added.</summary>
public static class AiFeatures
{
    public const string Scoring = "scoring";
    public const string Assistant = "assistant";
    public const string Rfp = "rfp";
}

/// <summary>
/// One call through the gateway. Everything in it belongs to <paramref name="TenantId"/>: the gateway takes no
/// input from any other tenant, and caches and bills per tenant.
/// </summary>
/// <param name="Temperature">0 makes the call deterministic, and so cacheable.</param>
public sealed record AiRequest(
    Guid TenantId,
    Guid? UserId,
    string Feature,
    IReadOnlyList<AiMessage> Messages,
    int MaxOutputTokens,
    float Temperature = 0f);

public sealed record AiTokenUsage(int InputTokens, int CachedInputTokens, int OutputTokens)
{
    public static AiTokenUsage None { get; } = new(0, 0, 0);
}

/// <summary>An answer, with what it cost. <see cref="CostUsd"/> is 0 for a cache hit.</summary>
public sealed record AiCompletion(
    string Text,
    string Model,
    string Deployment,
    string? FinishReason,
    AiTokenUsage Usage,
    decimal CostUsd,
    decimal BillableUsd,
    bool CacheHit,
    TimeSpan Latency,
    TimeSpan UpstreamLatency);

/// <summary>How a failed gateway call tells budget refusals (fall back, do not retry) from outages.</summary>
public static class AiProblems
{
    /// <summary>A limit is used up: 402. Callers with a local method use it; retrying before the period resets is useless.</summary>
    public static bool IsBudgetRefusal(this Problem problem) => problem.Kind == ProblemKind.PaymentRequired;

    /// <summary>No upstream answered (or AI is not configured): 503. Callers use their local method.</summary>
    public static bool IsUpstreamUnavailable(this Problem problem) => problem.Kind == ProblemKind.Unavailable;

    internal static Problem NotConfigured() =>
        new(ProblemKind.Unavailable, "AI is not configured for this installation.");

    internal static Problem AllDeploymentsFailed() =>
        new(ProblemKind.Unavailable, "The AI service is unavailable right now; try again later.", RetryAfter: TimeSpan.FromSeconds(30));
}

internal static partial class AiRequestValidation
{
    public static Problem? Validate(AiRequest request, AiOptions options)
    {
        var errors = new ValidationErrors();
        if (request.TenantId == Guid.Empty)
        {
            errors.Add("tenantId", "is required.");
        }

        if (string.IsNullOrEmpty(request.Feature) || !FeaturePattern().IsMatch(request.Feature))
        {
            errors.Add("feature", "must be 1 to 40 lowercase letters, digits, '-' or '_', starting with a letter.");
        }

        if (request.Messages is not { Count: > 0 })
        {
            errors.Add("messages", "must contain at least one message.");
        }
        else
        {
            if (request.Messages.Any(m => m is null || string.IsNullOrWhiteSpace(m.Content)))
            {
                errors.Add("messages", "must not contain empty messages.");
            }

            if (request.Messages.Sum(m => (long)(m?.Content?.Length ?? 0)) > options.MaxPromptCharacters)
            {
                errors.Add("messages", $"must be at most {options.MaxPromptCharacters} characters in total.");
            }
        }

        if (request.MaxOutputTokens < 1 || request.MaxOutputTokens > options.MaxOutputTokensLimit)
        {
            errors.Add("maxOutputTokens", $"must be between 1 and {options.MaxOutputTokensLimit}.");
        }

        if (!float.IsFinite(request.Temperature) || request.Temperature < 0f || request.Temperature > 2f)
        {
            errors.Add("temperature", "must be between 0 and 2.");
        }

        return errors.ToProblem();
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex FeaturePattern();
}
