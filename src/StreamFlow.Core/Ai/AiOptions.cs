namespace StreamFlow.Core.Ai;

/// <summary>The <c>Ai</c> configuration section: upstream deployments, routing, prices, budgets and resilience.</summary>
public sealed class AiOptions
{
    public const string Section = "Ai";

    /// <summary>Every upstream the gateway may call. Empty: AI is off and callers use their local methods.</summary>
    public List<AiDeploymentOptions> Deployments { get; set; } = [];

    /// <summary>
    /// Client id of the user-assigned managed identity that keyless Azure OpenAI deployments sign in with; empty:
    /// DefaultAzureCredential's own choice (AZURE_CLIENT_ID, then the system-assigned identity, then developer sign-ins).
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Name of the deployment tried first; defaults to the first deployment.</summary>
    public string? PrimaryDeployment { get; set; }

    /// <summary>Deployments tried in this order when the primary fails or its circuit is open.</summary>
    public List<string> FallbackDeployments { get; set; } = [];

    /// <summary>USD per million tokens, per model. Every routed deployment's model must have a price.</summary>
    public List<AiModelPrice> Prices { get; set; } = [];

    public AiBudgetOptions Budget { get; set; } = new();

    public AiResilienceOptions Resilience { get; set; } = new();

    public AiCacheOptions Cache { get; set; } = new();

    /// <summary>The largest <c>MaxOutputTokens</c> a request may ask for.</summary>
    public int MaxOutputTokensLimit { get; set; } = 4096;

    /// <summary>The largest prompt (all messages) a request may send, in characters.</summary>
    public int MaxPromptCharacters { get; set; } = 200_000;
}

public enum AiDeploymentKind
{
    /// <summary>Any endpoint that speaks the OpenAI chat completions API (OpenAI itself, vLLM, Ollama, ...).</summary>
    OpenAI,

    /// <summary>Azure OpenAI through AzureOpenAIClient; API key, or the managed identity when no key is set.</summary>
    AzureOpenAI,
}

public sealed class AiDeploymentOptions
{
    /// <summary>The name routing, the circuit breaker and the ledger know this upstream by.</summary>
    public string Name { get; set; } = "";

    public AiDeploymentKind Kind { get; set; } = AiDeploymentKind.OpenAI;

    /// <summary>Base URL: <c>https://api.openai.com/v1</c>, or the Azure resource <c>https://NAME.openai.azure.com</c>.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Secret. For Azure, empty means DefaultAzureCredential (the app's managed identity).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model sent upstream (for Azure: the Azure deployment name).</summary>
    public string Model { get; set; } = "";

    /// <summary>The price-table and ledger name of the model when it differs from <see cref="Model"/>.</summary>
    public string? PricedAs { get; set; }

    public string PriceModel => string.IsNullOrWhiteSpace(PricedAs) ? Model : PricedAs;
}

/// <summary>USD per one million tokens.</summary>
public sealed class AiModelPrice
{
    public string Model { get; set; } = "";

    public decimal InputPerMillion { get; set; }

    /// <summary>Prompt tokens the upstream served from its prompt cache; defaults to the input price.</summary>
    public decimal? CachedInputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }
}

public sealed class AiBudgetOptions
{
    /// <summary>What the provider spends on AI per UTC month across all tenants, at most.</summary>
    public decimal ProviderMonthlyCapUsd { get; set; } = 50m;

    /// <summary>A tenant's daily limit until the provider sets one; null: none (the monthly limits still hold).</summary>
    public decimal? DefaultTenantDailyLimitUsd { get; set; } = 2m;

    /// <summary>A tenant's monthly limit until the provider sets one; null: none (the provider cap still holds).</summary>
    public decimal? DefaultTenantMonthlyLimitUsd { get; set; } = 20m;

    /// <summary>Share of a limit at which one warning per period is raised.</summary>
    public decimal WarningRatio { get; set; } = 0.8m;

    /// <summary>How long a reservation of a call that never reconciled (a crash) holds budget.</summary>
    public TimeSpan ReservationLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Multiplier on the tokenizer's prompt count, so reservations cover models with other tokenizers.</summary>
    public decimal PromptTokenSafetyFactor { get; set; } = 1.25m;
}

/// <summary>Timeouts, retries and circuit breaking per upstream deployment (one place for the schedule).</summary>
public sealed class AiResilienceOptions
{
    /// <summary>One attempt, until the whole answer (or, streaming, the first chunk) has arrived.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest silence between two chunks of a stream.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries on the same deployment after a 408/429/5xx or a network failure.</summary>
    public int MaxRetryAttempts { get; set; } = 2;

    /// <summary>First backoff delay (exponential with jitter) when the upstream sends no Retry-After.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A Retry-After longer than this is not waited for: the gateway moves on to the fallback.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Share of failed calls within <see cref="CircuitSamplingDuration"/> that opens the circuit.</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed within the sampling window before the circuit may open.</summary>
    public int CircuitMinimumThroughput { get; set; } = 4;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cool-down before a half-open probe call is let through.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class AiCacheOptions
{
    /// <summary>Cache answers to deterministic calls (temperature 0).</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(24);
}
