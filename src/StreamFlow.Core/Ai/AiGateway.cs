using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Ai;

/// <summary>
/// The one way StreamFlow calls a language model. Per call: validate; redact personal data unless the tenant opted
/// in; answer deterministic calls from the tenant's cache (free); reserve the call's maximum cost against the
/// provider month, tenant day and tenant month in one transaction (402 when any is used up); call the primary
/// deployment, retrying and then falling back in order; book the real cost, release the rest and write the ledger
/// in one transaction; raise budget warnings. Prompts and answers are never logged.
/// </summary>
public sealed class AiGateway
{
    private const int ExpiredReservationsPerSweep = 500;

    // Settlement must happen even when the caller has gone; it gets its own bounded time instead of the caller's token.
    private static readonly TimeSpan SettlementTimeout = TimeSpan.FromSeconds(30);

    private readonly StreamFlowDatabase _database;
    private readonly AiUpstreams _upstreams;
    private readonly AiPriceTable _prices;
    private readonly AiTokenEstimator _estimator;
    private readonly IAiBudgetAlertSink _alertSink;
    private readonly AiOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AiGateway> _logger;

    internal AiGateway(
        StreamFlowDatabase database,
        AiUpstreams upstreams,
        AiPriceTable prices,
        AiTokenEstimator estimator,
        IAiBudgetAlertSink alertSink,
        IOptions<AiOptions> options,
        TimeProvider timeProvider,
        ILogger<AiGateway> logger)
    {
        _database = database;
        _upstreams = upstreams;
        _prices = prices;
        _estimator = estimator;
        _alertSink = alertSink;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>True when at least one deployment is configured; otherwise every call answers 503 at once.</summary>
    public bool IsConfigured => _upstreams.Route.Count > 0;

    /// <summary>
    /// Answers <paramref name="request"/> in one piece. Failures: 400 invalid request, 402 a budget is used up
    /// (<see cref="AiProblems.IsBudgetRefusal"/>), 503 no deployment answered (<see cref="AiProblems.IsUpstreamUnavailable"/>).
    /// </summary>
    public async Task<Result<AiCompletion>> CompleteAsync(AiRequest request, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var admitted = await AdmitAsync(request, streamed: false, started, cancellationToken);
        if (!admitted.Succeeded)
        {
            return admitted.Problem;
        }

        var admission = admitted.Value;
        if (admission.Cached is { } cached)
        {
            return new AiCompletion(cached.Response, cached.Model, cached.Deployment, cached.FinishReason, AiTokenUsage.None, 0m, 0m,
                CacheHit: true, _timeProvider.GetElapsedTime(started), TimeSpan.Zero);
        }

        var upstreamStarted = _timeProvider.GetTimestamp();
        AiUpstreamAnswer? answer = null;
        AiUpstream? answeredBy = null;
        try
        {
            foreach (var upstream in _upstreams.Route)
            {
                try
                {
                    answer = await upstream.CompleteAsync(admission.Messages, request.MaxOutputTokens, request.Temperature, cancellationToken);
                    answeredBy = upstream;
                    break;
                }
                catch (Exception exception) when (!IsCallerCancellation(exception, cancellationToken))
                {
                    LogUpstreamFailure(upstream, exception);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await SettleAsync(request, admission, _upstreams.Route[0], AiCallOutcome.Cancelled, AiTokenUsage.None, 0m, false, started, null);
            throw;
        }

        var upstreamLatency = _timeProvider.GetElapsedTime(upstreamStarted);
        if (answer is null || answeredBy is null)
        {
            await SettleAsync(request, admission, _upstreams.Route[0], AiCallOutcome.Failed, AiTokenUsage.None, 0m, false, started, null);
            return AiProblems.AllDeploymentsFailed();
        }

        var usage = answer.Usage
            ?? new AiTokenUsage(admission.PromptTokens, 0, _estimator.EstimateGeneratedTokens(answer.Text, 0));
        var cost = _prices.Cost(answeredBy.Model, usage);
        var cacheEntry = admission.Cacheable && answer.FinishReason == "stop"
            ? new AiCachedResponse(admission.CacheKeyFor(answeredBy.Model), answeredBy.Model, answeredBy.Name, answer.Text, answer.FinishReason)
            : null;
        var billable = await SettleAsync(request, admission, answeredBy, AiCallOutcome.Succeeded, usage, cost, false, started, cacheEntry);
        return new AiCompletion(answer.Text, answeredBy.Model, answeredBy.Name, answer.FinishReason, usage, cost, billable,
            CacheHit: false, _timeProvider.GetElapsedTime(started), upstreamLatency);
    }

    /// <summary>
    /// Starts a streaming answer. The budget is reserved and the first chunk received before this returns, so a
    /// refusal (402) or an outage (503) is known before anything is sent to the client. Enumerate the stream for
    /// the text deltas; its reservation is reconciled when it ends or the consumer stops.
    /// </summary>
    public async Task<Result<AiStream>> StreamAsync(AiRequest request, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var admitted = await AdmitAsync(request, streamed: true, started, cancellationToken);
        if (!admitted.Succeeded)
        {
            return admitted.Problem;
        }

        var admission = admitted.Value;
        if (admission.Cached is { } cached)
        {
            return new AiStream(cached.Model, cached.Deployment, cached.Response,
                new AiStreamSummary(AiCallOutcome.Cached, cached.FinishReason, AiTokenUsage.None, 0m, 0m, UsageReported: true));
        }

        try
        {
            foreach (var upstream in _upstreams.Route)
            {
                try
                {
                    var stream = await upstream.OpenStreamAsync(admission.Messages, request.MaxOutputTokens, request.Temperature, cancellationToken);
                    return new AiStream(upstream.Model, upstream.Name, stream, end => SettleStreamAsync(request, admission, upstream, end, started));
                }
                catch (Exception exception) when (!IsCallerCancellation(exception, cancellationToken))
                {
                    LogUpstreamFailure(upstream, exception);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await SettleAsync(request, admission, _upstreams.Route[0], AiCallOutcome.Cancelled, AiTokenUsage.None, 0m, true, started, null);
            throw;
        }

        await SettleAsync(request, admission, _upstreams.Route[0], AiCallOutcome.Failed, AiTokenUsage.None, 0m, true, started, null);
        return AiProblems.AllDeploymentsFailed();
    }

    private async Task<AiStreamSummary> SettleStreamAsync(AiRequest request, Admission admission, AiUpstream upstream, AiStreamEnd end, long started)
    {
        // Without the upstream's usage chunk (the stream was cut short), the prompt counts as estimated and the
        // output as the larger of the tokenized text and the chunks received.
        var usage = end.Usage
            ?? new AiTokenUsage(admission.PromptTokens, 0, _estimator.EstimateGeneratedTokens(end.Text, end.ContentChunks));
        var cost = _prices.Cost(upstream.Model, usage);
        var cacheEntry = admission.Cacheable && end.Outcome == AiCallOutcome.Succeeded && end.FinishReason == "stop"
            ? new AiCachedResponse(admission.CacheKeyFor(upstream.Model), upstream.Model, upstream.Name, end.Text, end.FinishReason)
            : null;
        var billable = await SettleAsync(request, admission, upstream, end.Outcome, usage, cost, true, started, cacheEntry);
        return new AiStreamSummary(end.Outcome, end.FinishReason, usage, cost, billable, UsageReported: end.Usage is not null);
    }

    private async Task<Result<Admission>> AdmitAsync(AiRequest request, bool streamed, long started, CancellationToken cancellationToken)
    {
        if (AiRequestValidation.Validate(request, _options) is { } invalid)
        {
            return invalid;
        }

        if (_upstreams.Route.Count == 0)
        {
            return AiProblems.NotConfigured();
        }

        var decision = await DecideAsync(request, streamed, started, cancellationToken);
        if (decision.Refused is not null)
        {
            // Reservations of calls that crashed may be what fills the budget: give the expired ones back, try once more.
            var released = await _database.InPlatformAsync(
                scope => AiBudgetStore.ReleaseExpiredAsync(scope, _timeProvider.GetUtcNow(), ExpiredReservationsPerSweep), cancellationToken);
            if (released > 0)
            {
                decision = await DecideAsync(request, streamed, started, cancellationToken);
            }
        }

        if (decision.Cached is { } hit)
        {
            AiTelemetry.Record(request.Feature, hit.Deployment, AiCallOutcome.Cached, 0m);
        }

        if (decision.Refused is { } refusedBy)
        {
            await RecordRefusalAsync(request, decision, streamed, started, cancellationToken);
            return RefusalProblem(refusedBy, decision.Reservation, _timeProvider.GetUtcNow());
        }

        return decision;
    }

    /// <summary>
    /// Settings, redaction, cache lookup, and the reservation if there is no hit — in one round trip (two for a
    /// deterministic call that misses the cache). The prompt is prepared both as written and as redacted (the same
    /// object when redaction changes nothing), so that the statement that reads the tenant's settings can pick one.
    /// </summary>
    private async Task<Admission> DecideAsync(AiRequest request, bool streamed, long started, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var cacheable = _options.Cache.Enabled && request.Temperature == 0f;
        var redactedMessages = AiRedactor.Redact(request.Messages);
        var redacted = Prepare(request, redactedMessages, cacheable);
        var asWritten = redactedMessages.Select(m => m.Content).SequenceEqual(request.Messages.Select(m => m.Content), StringComparer.Ordinal)
            ? redacted
            : Prepare(request, request.Messages, cacheable);
        var periods = AiBudgetPeriods.At(now);

        if (cacheable)
        {
            var hitEntry = new AiUsageEntry(Guid.CreateVersion7(), request.TenantId, request.UserId, request.Feature, "", "",
                AiTokenUsage.None, 0m, 0m, 0m, CacheHit: true, streamed, ElapsedMilliseconds(started), AiCallOutcome.Cached, now);
            var (settings, hit) = await AiResponseCacheStore.FindAndRecordAsync(
                _database, ([.. asWritten.CacheKeys.Values], [.. redacted.CacheKeys.Values]), now, hitEntry, cancellationToken);
            if (hit is not null)
            {
                return Admit(settings, Guid.CreateVersion7(), null) with { Cached = hit };
            }
        }

        var reservationId = Guid.CreateVersion7();
        var reserved = await AiBudgetStore.TryReserveAsync(_database, reservationId, request.TenantId, periods,
            (asWritten.MaximumCost, redacted.MaximumCost), _options.Budget, now, now + _options.Budget.ReservationLifetime, cancellationToken);
        return Admit(reserved.Settings, reservationId, reserved.Refused);

        Admission Admit(AiTenantSettings settings, Guid reservationId, AiBudgetScope? refused)
        {
            var prompt = settings.AllowPersonalData ? asWritten : redacted;
            var reservation = new AiReservation(reservationId, request.TenantId, prompt.MaximumCost, periods, settings.Limits(_options.Budget));
            return new Admission(reservation, settings, prompt.Messages, prompt.PromptTokens, prompt.CacheKeys, null, refused);
        }
    }

    private PreparedPrompt Prepare(AiRequest request, IReadOnlyList<AiMessage> messages, bool cacheable)
    {
        // Keys in route order: the cache answers with the first model of the route that has an answer.
        var cacheKeys = cacheable
            ? _upstreams.Route.Select(upstream => upstream.Model).Distinct(StringComparer.OrdinalIgnoreCase)
                .ToDictionary(model => model, model => AiResponseCacheStore.KeyFor(model, messages, request.MaxOutputTokens, request.Temperature),
                    StringComparer.OrdinalIgnoreCase)
            : [];
        var promptTokens = _estimator.EstimatePromptTokens(messages);
        var maximumCost = _upstreams.Route.Max(upstream => _prices.MaximumCost(upstream.Model, promptTokens, request.MaxOutputTokens));
        return new PreparedPrompt(messages, promptTokens, maximumCost, cacheKeys);
    }

    private Task RecordRefusalAsync(AiRequest request, Admission admission, bool streamed, long started, CancellationToken cancellationToken)
    {
        var primary = _upstreams.Route[0];
        var entry = new AiUsageEntry(Guid.CreateVersion7(), request.TenantId, request.UserId, request.Feature, primary.Model, primary.Name,
            AiTokenUsage.None, 0m, admission.Settings.MarkupRate, 0m, CacheHit: false, streamed, ElapsedMilliseconds(started),
            AiCallOutcome.RefusedBudget, _timeProvider.GetUtcNow());
        AiTelemetry.Record(request.Feature, primary.Name, AiCallOutcome.RefusedBudget, 0m);
        return AiUsageStore.InsertFreeAsync(_database, entry, cancellationToken);
    }

    /// <summary>Books the call against its reservation and writes the ledger row (and the cache entry) in one round trip and transaction.</summary>
    private async Task<decimal> SettleAsync(
        AiRequest request,
        Admission admission,
        AiUpstream upstream,
        AiCallOutcome outcome,
        AiTokenUsage usage,
        decimal cost,
        bool streamed,
        long started,
        AiCachedResponse? cacheEntry)
    {
        var now = _timeProvider.GetUtcNow();
        var billable = AiPriceTable.Billable(cost, admission.Settings.MarkupRate);
        var entry = new AiUsageEntry(Guid.CreateVersion7(), request.TenantId, request.UserId, request.Feature, upstream.Model, upstream.Name,
            usage, cost, admission.Settings.MarkupRate, billable, CacheHit: false, streamed, ElapsedMilliseconds(started), outcome, now);

        using var timeout = new CancellationTokenSource(SettlementTimeout);
        var alerts = await AiBudgetStore.SettleAsync(_database, admission.Reservation, cost, _options.Budget.WarningRatio, entry,
            cacheEntry is null ? null : (cacheEntry, now + _options.Cache.TimeToLive), timeout.Token);

        AiTelemetry.Record(request.Feature, upstream.Name, outcome, cost);
        if (cost > admission.Reservation.AmountUsd)
        {
            _logger.LogWarning(
                "AI call on {Deployment} cost {CostUsd} USD, more than the {ReservedUsd} USD reserved: the prompt estimate was low",
                upstream.Name, cost, admission.Reservation.AmountUsd);
        }

        foreach (var alert in alerts)
        {
            try
            {
                await _alertSink.PublishAsync(alert, timeout.Token);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "Publishing the AI budget warning {Scope} for tenant {TenantId} failed", alert.Scope, alert.TenantId);
            }
        }

        return billable;
    }

    private static Problem RefusalProblem(AiBudgetScope scope, AiReservation reservation, DateTimeOffset now)
    {
        var resetsAt = reservation.Periods.EndOf(scope);
        var resets = resetsAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var detail = scope switch
        {
            AiBudgetScope.TenantDay => string.Create(CultureInfo.InvariantCulture,
                $"This account's daily AI budget of ${reservation.Limits.TenantDailyLimitUsd:0.00} is used up; it resets at {resets} UTC. AI features use their local methods until then."),
            AiBudgetScope.TenantMonth => string.Create(CultureInfo.InvariantCulture,
                $"This account's monthly AI budget of ${reservation.Limits.TenantMonthlyLimitUsd:0.00} is used up; it resets at {resets} UTC. AI features use their local methods until then."),
            _ => $"The AI budget of this service is used up for the month; it resets at {resets} UTC. AI features use their local methods until then.",
        };
        return new Problem(ProblemKind.PaymentRequired, detail, RetryAfter: resetsAt - now);
    }

    private static bool IsCallerCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private void LogUpstreamFailure(AiUpstream upstream, Exception exception)
    {
        if (AiUpstreamErrors.IsCircuitOpen(exception))
        {
            _logger.LogInformation("AI deployment {Deployment} skipped: its circuit is open", upstream.Name);
        }
        else
        {
            _logger.LogWarning("AI deployment {Deployment} failed (status {Status}, {ErrorType}); trying the next one",
                upstream.Name, AiUpstreamErrors.Status(exception), exception.GetType().Name);
        }
    }

    private int ElapsedMilliseconds(long started) =>
        (int)Math.Min(int.MaxValue, _timeProvider.GetElapsedTime(started).TotalMilliseconds);

    private sealed record PreparedPrompt(IReadOnlyList<AiMessage> Messages, int PromptTokens, decimal MaximumCost, IReadOnlyDictionary<string, byte[]> CacheKeys);

    /// <summary>What admission decided: a cache hit, a refusal, or a reservation to call with.</summary>
    private sealed record Admission(
        AiReservation Reservation,
        AiTenantSettings Settings,
        IReadOnlyList<AiMessage> Messages,
        int PromptTokens,
        IReadOnlyDictionary<string, byte[]> CacheKeys,
        AiCachedResponse? Cached,
        AiBudgetScope? Refused)
    {
        public bool Cacheable => CacheKeys.Count > 0;

        public byte[] CacheKeyFor(string model) => CacheKeys[model];
    }
}
