using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Rfps;

/// <summary>One extracted fact and where in the document it was read.</summary>
public sealed record RfpFact<T>(T Value, RfpSource Source);

public enum RfpSetAsideKind
{
    TotalSmallBusiness,
    PartialSmallBusiness,
    EightA,
    HubZone,
    ServiceDisabledVeteranOwned,
    WomenOwned,
    EconomicallyDisadvantagedWomenOwned,
    VeteranOwned,
    Unrestricted,
}

/// <summary>The set-aside as classified and as written.</summary>
public sealed record RfpSetAside(RfpSetAsideKind Kind, string Text);

/// <summary>
/// A deadline as written: the local date, the time when stated, the zone as written and its IANA zone, and the UTC
/// instant when date, time and zone are all known. "EST" in July is read as Eastern local time, as offerors read it.
/// </summary>
public sealed record RfpDeadline(DateOnly Date, TimeOnly? Time, string? TimeZone, string? IanaTimeZone, DateTimeOffset? Utc);

/// <summary>An evaluation factor (Section M) and its weight as written ("40 points", "30%"), if any.</summary>
public sealed record RfpEvaluationFactor(string Name, string? Weight);

public enum RfpValueKind
{
    Estimate,
    Ceiling,
    Range,
}

/// <summary>A value the solicitation states: one amount (Minimum = Maximum) or a range.</summary>
public sealed record RfpStatedValue(RfpValueKind Kind, Money Minimum, Money Maximum);

/// <summary>Everything the deterministic pass reads from a solicitation; each fact carries its source.</summary>
public sealed record RfpFacts(
    RfpFact<string>? Title,
    RfpFact<string>? Agency,
    RfpFact<string>? SolicitationNumber,
    IReadOnlyList<RfpFact<string>> NaicsCodes,
    RfpFact<RfpSetAside>? SetAside,
    RfpFact<RfpDeadline>? ResponseDue,
    RfpFact<RfpDeadline>? QuestionsDue,
    RfpFact<string>? PlaceOfPerformance,
    RfpFact<string>? EvaluationBasis,
    IReadOnlyList<RfpFact<RfpEvaluationFactor>> EvaluationCriteria,
    IReadOnlyList<RfpFact<string>> Requirements,
    int RequirementsFound,
    RfpFact<RfpStatedValue>? StatedValue);
