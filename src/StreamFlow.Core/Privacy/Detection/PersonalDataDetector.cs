using System.Text.RegularExpressions;

namespace StreamFlow.Core.Privacy.Detection;

/// <summary>The kinds of personal data found in free text.</summary>
public static class PersonalDataKinds
{
    public const string Email = "email";
    public const string Card = "card";
    public const string Ssn = "ssn";
    public const string Phone = "phone";
    public const string Address = "address";

    public static readonly IReadOnlyList<string> All = [Email, Card, Ssn, Address, Phone];
}

/// <summary>What a scan of free text found: how many of each kind (none: an empty map).</summary>
public sealed record PersonalDataScan(IReadOnlyDictionary<string, int> Found)
{
    public bool Any => Found.Count > 0;
}

/// <summary>
/// The one detector of personal data in free text (notes, attributes, imported columns, RFP text, AI prompts): email
/// addresses, card numbers (only digit runs that pass the Luhn check, so order numbers survive), formatted US social
/// security numbers, US postal addresses where recognisable and phone numbers. Cards go before SSNs, addresses and
/// phones, whose patterns would otherwise eat parts of them; addresses go before phones so a ZIP+4 stays whole. <see cref="Mask"/> replaces what it finds with placeholders (the AI gateway's redaction); <see cref="Scan"/>
/// counts it (flagging).
/// </summary>
public static partial class PersonalDataDetector
{
    public const string EmailPlaceholder = "[EMAIL]";
    public const string CardPlaceholder = "[CARD]";
    public const string SsnPlaceholder = "[SSN]";
    public const string PhonePlaceholder = "[PHONE]";
    public const string AddressPlaceholder = "[ADDRESS]";

    public static string Mask(string text)
    {
        var masked = EmailPattern().Replace(text, EmailPlaceholder);
        masked = CardPattern().Replace(masked, match => PassesLuhn(match.Value) ? CardPlaceholder : match.Value);
        masked = SsnPattern().Replace(masked, SsnPlaceholder);
        masked = StreetAddressPattern().Replace(masked, AddressPlaceholder);
        masked = PostOfficeBoxPattern().Replace(masked, AddressPlaceholder);
        masked = CityStateZipPattern().Replace(masked, AddressPlaceholder);
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
            (PersonalDataKinds.Ssn, SsnPlaceholder), (PersonalDataKinds.Address, AddressPlaceholder),
            (PersonalDataKinds.Phone, PhonePlaceholder),
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

    private const string StateCodes =
        "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI";

    private const string CityStateZip = @"[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,3},? (?:" + StateCodes + @")\.? \d{5}(?:-\d{4})?(?!\d)";

    private const string StreetSuffixes =
        "Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Trl|Square|Sq|Loop|Pike|Plaza|Alley|Crossing|Xing|Run|Path";

    // A house number (not part of a longer number, a price or a decimal), an optional direction, one to four street-name
    // words that start with a capital letter or are ordinals (5th, 42nd), a suffix, an optional direction and unit, and an
    // optional ", City, ST 12345". Capitalised names keep "took 20 minutes on the road" from matching.
    private const string StreetAddress =
        @"(?<![\w$.,#/-])\d{1,6}[A-Z]?(?: (?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?)?" +
        @"(?: (?:[A-Z][A-Za-z'-]*|\d{1,3}(?:st|nd|rd|th))){1,4} (?:" + StreetSuffixes + @")\b\.?" +
        @"(?: (?:N|S|E|W|NE|NW|SE|SW)\b\.?)?" +
        @"(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room|Bldg)\.? ?#?[A-Za-z0-9-]{1,6}\b|,? #[A-Za-z0-9-]{1,6}\b)?" +
        @"(?:,? " + CityStateZip + ")?";

    [GeneratedRegex(StreetAddress, RegexOptions.CultureInvariant)]
    private static partial Regex StreetAddressPattern();

    [GeneratedRegex(@"\b(?i:P\.? ?O\.? Box) \d{1,6}\b(?:,? " + CityStateZip + ")?", RegexOptions.CultureInvariant)]
    private static partial Regex PostOfficeBoxPattern();

    // A city, a state code and a ZIP on their own ("Austin, TX 78701"): a city alone, or a ZIP alone, is not an address.
    [GeneratedRegex(CityStateZip, RegexOptions.CultureInvariant)]
    private static partial Regex CityStateZipPattern();

    // North American numbers in their usual spellings, and international numbers written with a leading '+'.
    [GeneratedRegex(
        @"(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}(?!\d)|(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)",
        RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();
}
