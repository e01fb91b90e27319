using System.Globalization;
using System.Text;

namespace StreamFlow.Core.Search;

/// <summary>
/// What a person typed, made comparable with the indexed text: lower-cased, accents and punctuation other than
/// <c>@ . - _ '</c> turned into spaces, whitespace collapsed. Operators mean nothing here: the term is matched as
/// text (LIKE metacharacters escaped), never parsed as a query language.
/// </summary>
public sealed record SearchTerm(string Text)
{
    public const int MinLength = 2;
    public const int MaxLength = 100;

    /// <summary>Patterns of two characters are too short for trigrams: they match the start of a title only.</summary>
    public bool IsShort => Text.Length < 3;

    public string LikeEscaped => Text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>Null when the typed text is far too long to be a search (it is not even normalised).</summary>
    public static SearchTerm? Normalize(string? typed)
    {
        if (typed is null || typed.Length > MaxLength * 4)
        {
            return typed is null ? new SearchTerm("") : null;
        }

        var decomposed = typed.Normalize(NormalizationForm.FormD);
        var text = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            text.Append(char.IsLetterOrDigit(c) || c is '@' or '.' or '-' or '_' or '\'' ? char.ToLowerInvariant(c) : ' ');
        }

        var collapsed = string.Join(' ', text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return new SearchTerm(collapsed);
    }
}
