namespace StreamFlow.Core.Health;

public sealed record HealthReport(string Status, IReadOnlyDictionary<string, HealthCheckResult> Checks, DateTimeOffset CheckedAt)
{
    public bool IsHealthy => Status == HealthStatus.Ok;
}

public sealed record HealthCheckResult(string Status, double DurationMs, string? Error);

public static class HealthStatus
{
    public const string Ok = "ok";
    public const string Degraded = "degraded";
    public const string Failed = "failed";
}
