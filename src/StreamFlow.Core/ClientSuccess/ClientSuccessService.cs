using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.ClientSuccess;

/// <summary>One business's churn risk in the provider's list: the probability, its band and the top reasons.</summary>
public sealed record ClientRisk(Guid TenantId, string TenantName, string Industry, double Risk, string Band, IReadOnlyList<FactorContribution> Reasons);

/// <summary>Every active business by churn risk, highest first, with the model that scored them.</summary>
public sealed record ChurnRiskReport(DateTimeOffset AsOf, string ModelVersion, int HorizonDays, IReadOnlyList<ClientRisk> Businesses);

/// <summary>One business's churn risk in full: its signals, every factor's part, the reasons and the suggested actions.</summary>
public sealed record ClientRiskDetail(
    DateTimeOffset AsOf, string ModelVersion, int HorizonDays, Guid TenantId, string TenantName, string Industry, double Risk, string Band,
    ChurnSignals Signals, IReadOnlyList<FactorContribution> Factors, IReadOnlyList<FactorContribution> Reasons, IReadOnlyList<PlaybookAction> Playbook);

/// <summary>Churn prediction for the provider (docs/client-success.md): signals in SQL, a logistic model, its reasons and playbook.</summary>
public sealed class ClientSuccessService(StreamFlowDatabase database, TimeProvider time, AuditLog audit)
{
    public static readonly IReadOnlyList<string> Bands = ["high", "medium", "low"];

    /// <summary>A factor is a reason when it raised the log-odds by at least this much (about +10 % odds).</summary>
    private const double ReasonThreshold = 0.1;

    private const int MaxReasons = 3;

    // Read when scoring, not when constructed: bench/churn reads signals with this service to refit a model that may not load yet.
    private static ChurnModel Model => ChurnModel.Default;

    public async Task<Result<ChurnRiskReport>> ListAsync(string? band, CancellationToken cancellationToken)
    {
        if (band is not null && !Bands.Contains(band))
        {
            return Problem.Validation("band", "Must be high, medium or low.");
        }

        var asOf = time.GetUtcNow();
        var signals = await SignalsAsOfAsync(asOf, cancellationToken);
        var businesses = signals
            .Select(s => Assess(s))
            .Where(a => band is null || a.Band == band)
            .OrderByDescending(a => a.Risk).ThenBy(a => a.Signals.TenantName, StringComparer.Ordinal)
            .Select(a => new ClientRisk(a.Signals.TenantId, a.Signals.TenantName, a.Signals.Industry, a.Risk, a.Band, a.Reasons))
            .ToList();
        return new ChurnRiskReport(asOf, Model.Version, Model.HorizonDays, businesses);
    }

    /// <summary>One business in full. The read is audited in that business's trail with the provider's identity.</summary>
    public async Task<Result<ClientRiskDetail>> ForTenantAsync(Guid tenantId, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var signals = (await SignalsAsOfAsync(asOf, cancellationToken)).FirstOrDefault(s => s.TenantId == tenantId);
        if (signals is null)
        {
            return Problem.NotFound("An active business");
        }

        await audit.RecordAsync(new AuditEvent(AuditSystem.Provider, tenantId, actor, "client_success.churn_risk.read", $"tenant:{tenantId}",
            AuditOutcome.Succeeded, origin), cancellationToken);

        var a = Assess(signals);
        return new ClientRiskDetail(asOf, Model.Version, Model.HorizonDays, signals.TenantId, signals.TenantName, signals.Industry, a.Risk, a.Band,
            signals, a.Factors, a.Reasons, ChurnPlaybooks.For(a.Reasons.Select(r => r.Factor)));
    }

    /// <summary>Every business active at <paramref name="asOf"/> with its signals as they were then (scoring and backtests).</summary>
    public Task<IReadOnlyList<ChurnSignals>> SignalsAsOfAsync(DateTimeOffset asOf, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => ClientSuccessStore.SignalsAsync(scope, asOf), cancellationToken);

    public static string BandOf(double risk) => risk switch
    {
        >= 0.3 => "high",
        >= 0.1 => "medium",
        _ => "low",
    };

    private Assessment Assess(ChurnSignals signals)
    {
        var factors = Model.Explain(signals);
        var risk = Math.Round(ChurnModel.Sigmoid(Model.Intercept + factors.Sum(f => f.Contribution)), 4);
        var reasons = factors.Where(f => f.Contribution >= ReasonThreshold).OrderByDescending(f => f.Contribution).Take(MaxReasons).ToList();
        return new Assessment(signals, risk, BandOf(risk), factors, reasons);
    }

    private sealed record Assessment(ChurnSignals Signals, double Risk, string Band, IReadOnlyList<FactorContribution> Factors, IReadOnlyList<FactorContribution> Reasons);
}
