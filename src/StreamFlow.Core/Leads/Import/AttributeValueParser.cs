using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamFlow.Core.Leads.Import;

/// <summary>How CSV text becomes a number, a yes/no or a date; the same rules for type inference and for values.</summary>
internal static partial class AttributeValueParser
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ssK",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "M/d/yyyy", "M/d/yyyy H:mm",
        "M/d/yyyy H:mm:ss", "M/d/yyyy h:mm tt", "M/d/yyyy h:mm:ss tt",
    ];

    public static bool TryParseNumber(string text, out decimal value)
    {
        // Plain invariant numbers ("5", "-2.5", "1e3"), or thousands groups that really are groups ("1,520").
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        return GroupedNumber().IsMatch(text)
            && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseBoolean(string text, out bool value)
    {
        if (text.Equals("yes", StringComparison.OrdinalIgnoreCase) || text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        if (text.Equals("no", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            value = false;
            return true;
        }

        value = false;
        return false;
    }

    public static bool TryParseDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(
            text,
            DateFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out value);

    public static AttributeValue Parse(string text, AttributeKind kind) => kind switch
    {
        AttributeKind.Number when TryParseNumber(text, out var number) => AttributeValue.FromNumber(number),
        AttributeKind.Boolean when TryParseBoolean(text, out var boolean) => AttributeValue.FromBoolean(boolean),
        AttributeKind.Date when TryParseDate(text, out var date) => AttributeValue.FromDate(date),
        _ => AttributeValue.FromText(text),
    };

    [GeneratedRegex(@"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex GroupedNumber();
}
