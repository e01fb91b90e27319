namespace StreamFlow.Orchestrations.Diagnostics;

/// <summary>Starts a self-test; <paramref name="PauseSeconds"/> is a durable timer between the two probes.</summary>
public sealed record PlatformSelfTestInput(string RequestedBy, int PauseSeconds);

public sealed record ProbeRequest(string RunId);

public sealed record ProbeResult(string Probe, bool Succeeded, double DurationMs, string Detail);

public sealed record PlatformSelfTestReport(
    DateTime StartedAt,
    DateTime FinishedAt,
    bool Succeeded,
    IReadOnlyList<ProbeResult> Probes);
