namespace StreamFlow.Core.Privacy;

/// <summary>
/// The sealed personal fields by table and column (the names bound into each value's associated data), and how a lead's
/// email and phone are stored: sealed for their row under the current data key, with their blind indexes.
/// </summary>
public static class PersonalFields
{
    public const string LeadsTable = "leads";
    public const string Email = "email";
    public const string Phone = "phone";
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
    public static SealedLeadFields SealLead(TenantKeys keys, Guid leadId, string? email, string? phone) => new(
        keys.Seal(LeadsTable, Email, leadId, email), keys.Seal(LeadsTable, Phone, leadId, phone),
        keys.Index(Email, email), keys.Index(Phone, phone),
        email is null && phone is null ? null : keys.CurrentVersion);
}

/// <summary>A lead's email and phone as the leads table holds them.</summary>
public sealed record SealedLeadFields(byte[]? EmailSealed, byte[]? PhoneSealed, byte[]? EmailIndex, byte[]? PhoneIndex, int? KeyVersion);
