using System.Text.RegularExpressions;

namespace StreamFlow.Core.Ai;

/// <summary>
/// Replaces personal data in prompts with placeholders before they leave StreamFlow: email addresses, card numbers
/// (only digit runs that pass the Luhn check, so order numbers survive), US social security numbers and phone
/// numbers. Cards go before SSNs and phones, whose patterns would otherwise eat parts of them.
/// </summary>
internal static partial class AiRedactor
{
    public const string EmailPlaceholder = "[EMAIL]";
    public const string CardPlaceholder = "[CARD]";
    public const string SsnPlaceholder = "[SSN]";
    public const string PhonePlaceholder = "[PHONE]";

    public static string Redact(string text)
    {
        var redacted = EmailPattern().Replace(text, EmailPlaceholder);
        redacted = CardPattern().Replace(redacted, match => PassesLuhn(match.Value) ? CardPlaceholder : match.Value);
        redacted = SsnPattern().Replace(redacted, SsnPlaceholder);
        return PhonePattern().Replace(redacted, PhonePlaceholder);
    }

    public static IReadOnlyList<AiMessage> Redact(IReadOnlyList<AiMessage> messages) =>
        messages.Select(message => message with { Content = Redact(message.Content) }).ToList();

    internal static bool PassesLuhn(string candidate)
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
