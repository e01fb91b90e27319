using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.SamGov;

/// <summary>
/// A SAM.gov connection's filters, each mapped onto the API's parameter of the same meaning: <c>naicsCodes</c> → ncode,
/// <c>setAsideCodes</c> → typeOfSetAside, <c>noticeTypes</c> → ptype (all in one request), <c>states</c> → state,
/// <c>keywords</c> → title. The API takes one ncode, set-aside, state and title per request, so a sync runs one query per
/// combination (at most <see cref="MaxQueries"/>). <c>lookbackDays</c>: how far back the first sync reaches (1–364).
/// </summary>
public sealed record SamGovSettings(
    IReadOnlyList<string>? NaicsCodes,
    IReadOnlyList<string>? SetAsideCodes,
    IReadOnlyList<string>? NoticeTypes,
    IReadOnlyList<string>? States,
    IReadOnlyList<string>? Keywords,
    int? LookbackDays,
    string? LeadSource,
    bool? FetchAttachments)
{
    public const int MaxQueries = 50;
    public const int DefaultLookbackDays = 7;

    // The documented procurement types (u, p, a, r, s, o, g, k, i); f and l are retired.
    private static readonly string[] NoticeTypeCodes = ["u", "p", "a", "r", "s", "o", "g", "k", "i"];

    private static readonly string[] SetAsides =
    [
        "SBA", "SBP", "8A", "8AN", "HZC", "HZS", "SDVOSBC", "SDVOSBS", "WOSB", "WOSBSS", "EDWOSB", "EDWOSBSS", "LAS", "IEE", "ISBEE", "BICiv", "VSA", "VSS",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Source => LeadSource ?? "SAM.gov";

    public static SamGovSettings Read(JsonElement settings) => settings.Deserialize<SamGovSettings>(Json) ?? Empty;

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(this, Json);

    private static SamGovSettings Empty => new(null, null, null, null, null, null, null, null);

    public static SamGovSettings? Validate(JsonElement settings, ValidationErrors errors)
    {
        SamGovSettings parsed;
        try
        {
            parsed = Read(settings);
        }
        catch (JsonException exception)
        {
            errors.Add("settings" + (exception.Path is { Length: > 1 } path ? path[1..] : ""), "has the wrong type.");
            return null;
        }

        Check(errors, "settings.naicsCodes", parsed.NaicsCodes, code => code.Length is >= 2 and <= 6 && code.All(char.IsAsciiDigit), "must be NAICS codes of 2 to 6 digits.");
        Check(errors, "settings.setAsideCodes", parsed.SetAsideCodes, SetAsides.Contains, $"must be set-aside codes: {string.Join(", ", SetAsides)}.");
        Check(errors, "settings.noticeTypes", parsed.NoticeTypes, NoticeTypeCodes.Contains, $"must be procurement types (ptype): {string.Join(", ", NoticeTypeCodes)}.");
        Check(errors, "settings.states", parsed.States, state => state.Length == 2 && state.All(char.IsAsciiLetterUpper), "must be two-letter state codes such as VA.");
        Check(errors, "settings.keywords", parsed.Keywords, keyword => keyword.Trim().Length is >= 2 and <= 100, "must be 2 to 100 characters each.");
        if (parsed.LookbackDays is < 1 or > 364)
        {
            errors.Add("settings.lookbackDays", "must be 1 to 364 (the API searches at most one year of postings).");
        }

        errors.MaxLength("settings.leadSource", parsed.LeadSource, 100);
        if (parsed.Queries().Count > MaxQueries)
        {
            errors.Add("settings", $"NAICS codes × set-asides × states × keywords make more than {MaxQueries} queries per sync; narrow them.");
        }

        return parsed;
    }

    /// <summary>Every combination of the one-valued parameters; a list left empty does not filter.</summary>
    public IReadOnlyList<SamGovQuery> Queries()
    {
        static IEnumerable<string?> Values(IReadOnlyList<string>? list) => list is { Count: > 0 } ? list.Select(v => (string?)v.Trim()) : [null];
        return (from naics in Values(NaicsCodes)
                from setAside in Values(SetAsideCodes)
                from state in Values(States)
                from keyword in Values(Keywords)
                select new SamGovQuery(NoticeTypes ?? [], naics, setAside, state, keyword)).Take(MaxQueries + 1).ToList();
    }

    private static void Check(ValidationErrors errors, string field, IReadOnlyList<string>? values, Func<string, bool> valid, string message)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > 50 || values.Any(value => value is null || !valid(value)))
        {
            errors.Add(field, message + (values.Count > 50 ? " At most 50." : ""));
        }
    }
}

/// <summary>One search: the procurement types and at most one NAICS code, set-aside, state and title keyword.</summary>
public sealed record SamGovQuery(IReadOnlyList<string> NoticeTypes, string? Naics, string? SetAside, string? State, string? Keyword);

/// <summary>
/// Where a SAM.gov sync is: the posted-date window (MM/dd/yyyy as the API wants it), which query of the settings, and
/// the record offset within it. Serialized as the sync's page token.
/// </summary>
public sealed record SamGovPageToken(string PostedFrom, string PostedTo, int Query, int Offset)
{
    public const string DateFormat = "MM/dd/yyyy";

    public static string Format(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public string Serialize() => JsonSerializer.Serialize(this);

    public static SamGovPageToken Parse(string token) =>
        JsonSerializer.Deserialize<SamGovPageToken>(token) ?? throw new InvalidOperationException("Empty SAM.gov page token.");
}
