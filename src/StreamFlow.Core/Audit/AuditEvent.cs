using System.Text.Json.Nodes;

namespace StreamFlow.Core.Audit;

public static class AuditSystem
{
    public const string Client = "client";
    public const string Provider = "provider";
    public const string Developer = "developer";
    public const string Platform = "platform";
}

public static class AuditOutcome
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Refused = "refused";
}

/// <summary>Where a request came from, as far as the audit log needs to know.</summary>
public sealed record RequestOrigin(string? Ip, string? UserAgent)
{
    public static RequestOrigin None { get; } = new(null, null);
}

/// <summary>What happened, by whom, to what: one audit entry before it is chained.</summary>
public sealed record AuditEvent(
    string System,
    Guid? TenantId,
    string Actor,
    string Action,
    string? Target,
    string Outcome,
    RequestOrigin Origin,
    JsonObject? Details = null);

/// <summary>An entry as stored: the event, its place in the chain and its hashes.</summary>
public sealed record AuditEntry(
    long Sequence,
    string System,
    Guid? TenantId,
    string Actor,
    string Action,
    string? Target,
    string Outcome,
    string? Ip,
    string? UserAgent,
    DateTimeOffset OccurredAt,
    string Details,
    byte[] PrevHash,
    byte[] Hash);
