using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Rfps;

/// <summary>An upload to analyze: the bytes as received, the declared media type and the file name if one was sent.</summary>
public sealed record RfpUpload(Stream Content, string? ContentType, string? FileName, long? DeclaredLength);

/// <summary>Where the analysis is: extracting text, reading facts, assessing, done (or failed).</summary>
public sealed record RfpProgress(string Step, int? Segments);

/// <summary>What the document was: how it is divided (pages or paragraphs), how many, and how many characters of text.</summary>
public sealed record RfpDocumentSummary(RfpSegmentUnit Unit, int Segments, int Characters);

/// <summary>Bid, do not bid, or look closer: the local method says "review" when the facts do not decide it.</summary>
public enum RfpDecision
{
    Bid,
    NoBid,
    Review,
}

public sealed record RfpRecommendation(RfpDecision Decision, double? Confidence, IReadOnlyList<string> Reasons);

/// <summary>
/// The tenant's own decided work that resembles this solicitation (matched on its title words and NAICS codes), or all
/// its won work when nothing resembles it: counts, win rate, and the quartiles of the won amounts.
/// </summary>
public sealed record RfpPricingHistory(
    string Basis,
    IReadOnlyList<string> MatchedOn,
    int Won,
    int Lost,
    double? WinRate,
    Money? Minimum,
    Money? LowerQuartile,
    Money? Median,
    Money? UpperQuartile,
    Money? Maximum,
    IReadOnlyList<string> LostReasons);

public sealed record RfpPricingGuidance(Money? Low, Money? High, string Rationale, RfpPricingHistory History);

/// <summary>
/// The judgement on top of the facts. Method "ai" when a model wrote it, "local" when the deterministic method did;
/// <see cref="FallbackReason"/> says why AI was not used (not configured, budget used up, unavailable, unreadable).
/// </summary>
public sealed record RfpAssessment(
    string Method,
    string? FallbackReason,
    string? Model,
    string Summary,
    RfpRecommendation Recommendation,
    RfpPricingGuidance Pricing);

public sealed record RfpAnalysis(RfpDocumentSummary Document, RfpFacts Facts, RfpAssessment? Assessment);

/// <summary>An RFP with its analysis so far; <see cref="Status"/> is pending, running, completed or failed.</summary>
public sealed record RfpView(
    Guid Id,
    string? FileName,
    string ContentType,
    long SizeBytes,
    string Status,
    RfpProgress Progress,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    RfpAnalysis? Analysis);

/// <summary>One line of the RFP list: the headline facts, without the provenance and requirements.</summary>
public sealed record RfpListItem(
    Guid Id,
    string? FileName,
    string ContentType,
    string Status,
    string? Title,
    string? SolicitationNumber,
    string? Agency,
    DateOnly? ResponseDueDate,
    RfpDecision? Decision,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

public sealed record RfpPage(IReadOnlyList<RfpListItem> Items, string? NextCursor);
