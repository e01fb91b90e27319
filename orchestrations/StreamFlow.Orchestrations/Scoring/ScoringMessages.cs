namespace StreamFlow.Orchestrations.Scoring;

public sealed record LeadScoringInput(Guid TenantId, Guid LeadId);

public sealed record ScoreLeadsRequest(Guid TenantId, IReadOnlyList<Guid> LeadIds, LeadAiSignal? Ai = null);

/// <summary>The AI assessment of one lead (0–100, confidence 0–1), when the tenant has AI on and budget left.</summary>
public sealed record LeadAiSignal(double Value, double Confidence, string? Reason);

public sealed record ScoreLeadsResult(int Scored, IReadOnlyList<Guid> Assigned);

public sealed record ScoringFailure(Guid TenantId, Guid LeadId, string Error);

public sealed record ModelTrainingInput(Guid TenantId, Guid RunId);

public sealed record ModelTrainingResult(string Status, int? Version, string Reason);
