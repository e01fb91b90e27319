using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Ai;

/// <summary>Refuses to start with an AI configuration that could route to an unknown deployment or call an unpriced model.</summary>
internal sealed class AiOptionsValidator : IValidateOptions<AiOptions>
{
    public ValidateOptionsResult Validate(string? name, AiOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var deployment in options.Deployments)
        {
            if (string.IsNullOrWhiteSpace(deployment.Name) || !names.Add(deployment.Name))
            {
                failures.Add($"Ai:Deployments: every deployment needs a unique Name ('{deployment.Name}').");
            }

            if (!Uri.TryCreate(deployment.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("https" or "http"))
            {
                failures.Add($"Ai:Deployments '{deployment.Name}': Endpoint must be an absolute http(s) URL.");
            }

            if (string.IsNullOrWhiteSpace(deployment.Model))
            {
                failures.Add($"Ai:Deployments '{deployment.Name}': Model is required.");
            }
        }

        var prices = new AiPriceTable(options.Prices);
        foreach (var routed in AiUpstreams.RouteNames(options))
        {
            var deployment = options.Deployments.FirstOrDefault(d => string.Equals(d.Name, routed, StringComparison.OrdinalIgnoreCase));
            if (deployment is null)
            {
                failures.Add($"Ai: the route names deployment '{routed}', which is not in Ai:Deployments.");
            }
            else if (!prices.Has(deployment.PriceModel))
            {
                failures.Add($"Ai:Prices has no price for model '{deployment.PriceModel}' (deployment '{deployment.Name}').");
            }
        }

        if (options.Prices.Any(p => p.InputPerMillion < 0 || p.OutputPerMillion < 0 || p.CachedInputPerMillion < 0))
        {
            failures.Add("Ai:Prices: prices must not be negative.");
        }

        var budget = options.Budget;
        if (budget.ProviderMonthlyCapUsd < 0 || budget.DefaultTenantDailyLimitUsd < 0 || budget.DefaultTenantMonthlyLimitUsd < 0)
        {
            failures.Add("Ai:Budget: limits must not be negative.");
        }

        if (budget.WarningRatio is <= 0m or > 1m)
        {
            failures.Add("Ai:Budget:WarningRatio must be above 0 and at most 1.");
        }

        if (budget.PromptTokenSafetyFactor < 1m)
        {
            failures.Add("Ai:Budget:PromptTokenSafetyFactor must be at least 1.");
        }

        if (budget.ReservationLifetime <= options.Resilience.AttemptTimeout)
        {
            failures.Add("Ai:Budget:ReservationLifetime must be longer than Ai:Resilience:AttemptTimeout.");
        }

        var resilience = options.Resilience;
        if (resilience.AttemptTimeout <= TimeSpan.Zero || resilience.StreamIdleTimeout <= TimeSpan.Zero)
        {
            failures.Add("Ai:Resilience: timeouts must be positive.");
        }

        if (resilience.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add("Ai:Resilience:MaxRetryAttempts must be between 0 and 10.");
        }

        // Polly's own bounds for the circuit breaker.
        if (resilience.CircuitFailureRatio is <= 0 or > 1 || resilience.CircuitMinimumThroughput < 2
            || resilience.CircuitSamplingDuration < TimeSpan.FromMilliseconds(500) || resilience.CircuitBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add("Ai:Resilience: CircuitFailureRatio in (0, 1], CircuitMinimumThroughput at least 2, durations at least 500 ms.");
        }

        if (options.MaxOutputTokensLimit < 1 || options.MaxPromptCharacters < 1)
        {
            failures.Add("Ai: MaxOutputTokensLimit and MaxPromptCharacters must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
