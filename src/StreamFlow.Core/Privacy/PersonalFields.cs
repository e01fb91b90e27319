using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace StreamFlow.Core.Privacy;

/// <summary>
/// The sealed personal fields by table and column (the names bound into each value's associated data), and how a lead's
/// email, phone, notes and address are stored: sealed for their row under the current data key, with their blind indexes — the
/// notes' index is one keyed term per distinct word, so a lead is found by a whole word of its notes, never a substring;
/// the address keeps only grouping keys (state, postal area) for the model-governance slices.
/// </summary>
public static partial class PersonalFields
{
    public const string LeadsTable = "leads";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Notes = "notes";
    public const string PostalCode = "postal_code";
    public const string State = "state";
    public const string City = "city";
    public const string Country = "country";
    private const string NoteWord = "note-word";
    private const string PostalArea = "postal-area";

    /// <summary>A note holds up to 10,000 characters; past this many distinct words the rest are not indexed (still sealed).</summary>
    public const int MaxNoteTerms = 512;
    public const string UsersTable = "users";
    public const string MfaSecret = "mfa_secret";

    /// <summary>An email as it is sealed and indexed: trimmed, lower-cased; null when blank.</summary>
    public static string? NormalizeEmail(string? email) => string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    /// <summary>A phone number as it is sealed and indexed: digits only, keeping a leading +; null when it is not a plausible phone number.</summary>
    public static string? NormalizePhone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }

        var trimmed = phone.Trim();
        if (trimmed.Any(c => !(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')))
        {
            return null;
        }

        var digits = new string(trimmed.Where(char.IsAsciiDigit).ToArray());
        return digits.Length is < 7 or > 15 ? null : (trimmed.StartsWith('+') ? "+" : "") + digits;
    }

    /// <param name="email">Already normalised (lower-cased, trimmed).</param>
    /// <param name="phone">Already normalised (digits, leading + kept).</param>
    /// <param name="address">The lead's postal code, state, city and country, sealed column by column (none when null).</param>
    public static SealedLeadFields SealLead(TenantKeys keys, Guid leadId, string? email, string? phone, string? notes, LeadAddress? address = null)
    {
        address ??= LeadAddress.None;
        return new SealedLeadFields(
            keys.Seal(LeadsTable, Email, leadId, email), keys.Seal(LeadsTable, Phone, leadId, phone),
            keys.Index(Email, email), keys.Index(Phone, phone),
            keys.Seal(LeadsTable, Notes, leadId, notes), NoteTerms(keys, notes),
            email is null && phone is null && notes is null && address.IsEmpty ? null : keys.CurrentVersion)
        {
            PostalCodeSealed = keys.Seal(LeadsTable, PostalCode, leadId, address.PostalCode),
            StateSealed = keys.Seal(LeadsTable, State, leadId, address.State),
            CitySealed = keys.Seal(LeadsTable, City, leadId, address.City),
            CountrySealed = keys.Seal(LeadsTable, Country, leadId, address.Country),
            StateIndex = StateIndex(keys, address.State),
            PostalAreaIndex = PostalAreaIndex(keys, address.PostalCode),
        };
    }

    /// <summary>The key a state groups under (model-governance slices): the blind index of the trimmed, upper-cased state.</summary>
    public static byte[]? StateIndex(TenantKeys keys, string? state) => keys.Index(State, StateGroup(state));

    /// <summary>The key a postal area groups under: the blind index of the postal code's first three characters, upper-cased.</summary>
    public static byte[]? PostalAreaIndex(TenantKeys keys, string? postalCode) => keys.Index(PostalArea, PostalAreaGroup(postalCode));

    /// <summary>The label of a state's group, as the slices show it.</summary>
    public static string? StateGroup(string? state) => string.IsNullOrWhiteSpace(state) ? null : state.Trim().ToUpperInvariant();

    /// <summary>The label of a postal area's group: the first three characters of the code, upper-cased.</summary>
    public static string? PostalAreaGroup(string? postalCode) =>
        string.IsNullOrWhiteSpace(postalCode) ? null : postalCode.Trim()[..Math.Min(3, postalCode.Trim().Length)].ToUpperInvariant();

    /// <summary>
    /// The keyed terms of a text's distinct words (letters and digits, lower-cased): the first 8 bytes of each word's
    /// blind index. Null for a text without words. A query's terms are the same function of its words.
    /// </summary>
    public static long[]? NoteTerms(TenantKeys keys, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var terms = Words().Matches(text).Select(match => match.Value.ToLowerInvariant()).Distinct().Take(MaxNoteTerms)
            .Select(word => BinaryPrimitives.ReadInt64BigEndian(keys.Index(NoteWord, word)!))
            .Distinct().ToArray();
        return terms.Length == 0 ? null : terms;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Words();
}

/// <summary>A lead's email, phone, notes and address as the leads table holds them.</summary>
public sealed record SealedLeadFields(
    byte[]? EmailSealed, byte[]? PhoneSealed, byte[]? EmailIndex, byte[]? PhoneIndex, byte[]? NotesSealed, long[]? NotesTerms, int? KeyVersion)
{
    public byte[]? PostalCodeSealed { get; init; }

    public byte[]? StateSealed { get; init; }

    public byte[]? CitySealed { get; init; }

    public byte[]? CountrySealed { get; init; }

    public byte[]? StateIndex { get; init; }

    public byte[]? PostalAreaIndex { get; init; }
}

/// <summary>A lead's address parts in plain text (only ever in memory).</summary>
public sealed record LeadAddress(string? PostalCode, string? State, string? City, string? Country)
{
    public static readonly LeadAddress None = new(null, null, null, null);

    public bool IsEmpty => PostalCode is null && State is null && City is null && Country is null;
}
