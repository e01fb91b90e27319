using System.Text.Json;
using System.Text.Json.Serialization;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Leads;

public sealed record LeadOutcome(string Status, Money? Value, string? LostReason, DateTimeOffset At);

public sealed record ScoreFactor(string Name, string Direction, double Weight);

/// <summary>A lead's score as the API shows it (docs/api-conventions.md).</summary>
public sealed record LeadScore(
    int Value,
    string Tier,
    double? Probability,
    double Confidence,
    IReadOnlyList<ScoreFactor> Factors,
    string Model,
    DateTimeOffset ScoredAt);

public sealed record Lead(
    Guid Id,
    string? FirstName,
    string? LastName,
    string? Company,
    string? Email,
    string? Phone,
    string? Source,
    string? ExternalId,
    string? PostalCode,
    string? State,
    string? City,
    string? Country,
    string? Notes,
    JsonElement Attributes,
    Guid? OwnerUserId,
    string? OwnerName,
    string Stage,
    LeadOutcome? Outcome,
    LeadScore? Score,
    string ScoreStatus,
    string? ScoreError,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt);

public sealed record LeadPage(IReadOnlyList<Lead> Items, string? NextCursor);

/// <summary>The fields a client sends to create or change a lead; on update a missing (null) field stays as it is.</summary>
public sealed record LeadInput(
    string? FirstName,
    string? LastName,
    string? Company,
    string? Email,
    string? Phone,
    string? Source,
    string? ExternalId,
    string? PostalCode,
    string? State,
    string? City,
    string? Country,
    string? Notes,
    Dictionary<string, JsonElement>? Attributes,
    string? Stage,
    Guid? OwnerUserId);

public sealed record OutcomeInput(string? Status, string? Amount, string? Currency, string? LostReason);

public sealed record LeadUpdate(LeadInput Fields, OutcomeInput? Outcome);

/// <summary>A lead to create; with an outcome it is created closed (won with its amount, lost with its reason), as a create then an update with that outcome leaves it.</summary>
public sealed record LeadCreate(LeadInput Fields, OutcomeInput? Outcome = null);

public sealed record LeadFilter(
    string? Stage,
    string? Tier,
    string? Source,
    Guid? OwnerUserId,
    string? ExternalId,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedTo,
    string? Query,
    bool IncludeDeleted)
{
    /// <summary>Exact email (any case, trimmed): matched through the blind index, since the stored email is sealed.</summary>
    public string? Email { get; init; }

    /// <summary>Exact phone number (formatting ignored): matched through the blind index.</summary>
    public string? Phone { get; init; }
}

/// <summary>One entry of a lead's timeline; <c>actorName</c> is the user's or API key's name when a person or key acted.</summary>
public sealed record LeadActivity(Guid Id, string Kind, string? Body, string Actor, string? ActorName, JsonElement Data, DateTimeOffset OccurredAt);

public sealed record StageChange(string? FromStage, string ToStage, string ChangedBy, string? ChangedByName, DateTimeOffset ChangedAt);
