using System.Text.RegularExpressions;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Branding;

/// <summary>The rules of a <see cref="BrandChange"/>; every problem is reported at once.</summary>
internal static partial class BrandValidation
{
    public const int MaxNameLength = 100;
    public const int MaxFooterLength = 1000;

    public static BrandChange Normalize(BrandChange change) => new(
        Trimmed(change.DisplayName), Trimmed(change.PrimaryColor)?.ToUpperInvariant(), Trimmed(change.AccentColor)?.ToUpperInvariant(),
        Trimmed(change.SenderName), Trimmed(change.ReplyTo), change.Footer is { } footer && footer.Trim().Length > 0 ? footer.Trim().ReplaceLineEndings("\n") : null);

    public static Problem? Validate(BrandChange change)
    {
        var errors = new ValidationErrors();
        errors.MaxLength("displayName", change.DisplayName, MaxNameLength);
        Colour(errors, "primaryColor", change.PrimaryColor);
        Colour(errors, "accentColor", change.AccentColor);
        errors.MaxLength("senderName", change.SenderName, MaxNameLength);
        // A sender name becomes a header's display name: no line breaks, quotes or angle brackets to break out of it.
        if (change.SenderName is { } sender && sender.IndexOfAny(['"', '<', '>', '\r', '\n', '\\']) >= 0)
        {
            errors.Add("senderName", "must not contain quotes, angle brackets, backslashes or line breaks.");
        }

        if (change.DisplayName is { } display && display.IndexOfAny(['\r', '\n']) >= 0)
        {
            errors.Add("displayName", "must be one line.");
        }

        if (change.ReplyTo is { } replyTo && !IsMailbox(replyTo))
        {
            errors.Add("replyTo", "must be one email address (name@example.com).");
        }

        errors.MaxLength("footer", change.Footer, MaxFooterLength);
        return errors.ToProblem();
    }

    private static void Colour(ValidationErrors errors, string field, string? value)
    {
        if (value is not null && !ColourPattern().IsMatch(value))
        {
            errors.Add(field, "must be a colour written #RRGGBB (six hexadecimal digits).");
        }
    }

    private static bool IsMailbox(string value) =>
        value.Length <= 254 && MailboxPattern().IsMatch(value);

    private static string? Trimmed(string? value) => value?.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    [GeneratedRegex("^#[0-9A-F]{6}$")]
    private static partial Regex ColourPattern();

    // One plain address: no display name, comments or lists, which a Reply-To header would otherwise carry through.
    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    private static partial Regex MailboxPattern();
}
