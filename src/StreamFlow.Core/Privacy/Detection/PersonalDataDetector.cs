using System.Text.RegularExpressions;

namespace StreamFlow.Core.Privacy.Detection;

/// <summary>The kinds of personal data found in free text.</summary>
public static class PersonalDataKinds
{
    public const string Email = "email";
    public const string Card = "card";
    public const string Ssn = "ssn";
    public const string Phone = "phone";
}

/// <summary>What a scan of free text found: how many of each kind (none: an empty map).</summary>
public sealed record PersonalDataScan(IReadOnlyDictionary<string, int> Found)
{
    public bool Any => Found.Count > 0;
}

/// <summary>
/// The one detector of personal data in free text (notes, attributes, imported columns, RFP text, AI prompts): email
/// addresses, card numbers (only digit runs that pass the Luhn check, so order numbers survive), formatted US social
/// security numbers and phone numbers. Cards go before SSNs and phones, whose patterns would otherwise eat parts of
/// them. <see cref="Mask"/> replaces what it finds with placeholders (the AI gateway's redaction); <see cref="Scan"/>
/// counts it (flagging).
/// </summary>
public static partial class PersonalDataDetector
{
    public const string EmailPlaceholder = "[EMAIL]";
    public const string CardPlaceholder = "[CARD]";
    public const string SsnPlaceholder = "[SSN]";
    public const string PhonePlaceholder = "[PHONE]";

    public static string Mask(string text)
    {
        var masked = EmailPattern().Replace(text, EmailPlaceholder);
        masked = CardPattern().Replace(masked, match => PassesLuhn(match.Value) ? CardPlaceholder : match.Value);
        masked = SsnPattern().Replace(masked, SsnPlaceholder);
        return PhonePattern().Replace(masked, PhonePlaceholder);
    }

    /// <summary>Counts what <see cref="Mask"/> would replace, by kind.</summary>
    public static PersonalDataScan Scan(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return new PersonalDataScan(new Dictionary<string, int>());
        }

        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        var masked = Mask(text);
        foreach (var (kind, placeholder) in new[]
        {
            (PersonalDataKinds.Email, EmailPlaceholder), (PersonalDataKinds.Card, CardPlaceholder),
            (PersonalDataKinds.Ssn, SsnPlaceholder), (PersonalDataKinds.Phone, PhonePlaceholder),
        })
        {
            // Placeholders already in the text are not personal data.
            var count = Occurrences(masked, placeholder) - Occurrences(text, placeholder);
            if (count > 0)
            {
                found[kind] = count;
            }
        }

        return new PersonalDataScan(found);
    }

    public static bool PassesLuhn(string candidate)
    {
        var sum = 0;
        var digits = 0;
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            var c = candidate[i];
            if (c is < '0' or > '9')
            {
                continue;
            }

            var digit = c - '0';
            if (digits % 2 == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
            digits++;
        }

        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    // 13 to 19 digits, optionally grouped by single spaces or dashes.
    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();

    // Formatted SSNs only (123-45-6789, 123 45 6789); area 000, 666 and 9xx, group 00 and serial 0000 are never issued.
    [GeneratedRegex(@"(?<!\d)(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex SsnPattern();

    // North American numbers in their usual spellings, and international numbers written with a leading '+'.
    [GeneratedRegex(
        @"(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}(?!\d)|(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)",
        RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();
}
