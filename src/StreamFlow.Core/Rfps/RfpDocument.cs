using System.Text;

namespace StreamFlow.Core.Rfps;

/// <summary>How a document is divided for provenance: PDFs by page, Word and text files by paragraph.</summary>
public enum RfpSegmentUnit
{
    Page,
    Paragraph,
}

/// <summary>One page (PDF) or paragraph (DOCX, text) of a document, numbered from 1.</summary>
public sealed record RfpSegment(int Number, string Text);

/// <summary>A document's text as extracted, in reading order.</summary>
public sealed record RfpDocumentText(RfpSegmentUnit Unit, IReadOnlyList<RfpSegment> Segments)
{
    public int Characters => Segments.Sum(segment => segment.Text.Length);
}

/// <summary>Where a fact was read: the page or paragraph, character offsets in its text (end exclusive) and the words there.</summary>
public sealed record RfpSource(RfpSegmentUnit Unit, int Number, int Start, int End, string Snippet);

/// <summary>
/// The segments joined into one searchable text (so a label and its value may sit in neighbouring paragraphs, as in a
/// form's table cells), with the way back from an offset in it to the segment and the offset there.
/// </summary>
internal sealed class RfpTextIndex
{
    internal const string Separator = "\n\n";
    private const int MaxSnippet = 240;

    private readonly RfpDocumentText _document;
    private readonly int[] _starts;

    public RfpTextIndex(RfpDocumentText document)
    {
        _document = document;
        _starts = new int[document.Segments.Count];
        var text = new StringBuilder(document.Characters + (document.Segments.Count * Separator.Length));
        for (var i = 0; i < document.Segments.Count; i++)
        {
            if (i > 0)
            {
                text.Append(Separator);
            }

            _starts[i] = text.Length;
            // Form feeds, tabs and non-breaking spaces read as spaces; lengths stay the same so offsets hold.
            foreach (var c in document.Segments[i].Text)
            {
                text.Append(c is '\t' or '\f' or '\u00A0' or '\v' ? ' ' : c);
            }
        }

        Text = text.ToString();
    }

    public string Text { get; }

    public RfpDocumentText Document => _document;

    /// <summary>The source of the text from <paramref name="start"/> to <paramref name="end"/> in <see cref="Text"/>.</summary>
    public RfpSource Source(int start, int end)
    {
        var segment = SegmentAt(start);
        var segmentStart = _starts[segment];
        var segmentText = _document.Segments[segment].Text;
        var localStart = Math.Clamp(start - segmentStart, 0, segmentText.Length);
        var localEnd = Math.Clamp(end - segmentStart, localStart, segmentText.Length);
        return new RfpSource(_document.Unit, _document.Segments[segment].Number, localStart, localEnd, Snippet(start, end));
    }

    /// <summary>The line(s) around a match, whitespace collapsed, at most 240 characters.</summary>
    private string Snippet(int start, int end)
    {
        var lineStart = start == 0 ? 0 : Text.LastIndexOf('\n', Math.Max(0, start - 1)) + 1;
        var lineEnd = Text.IndexOf('\n', Math.Min(Text.Length, Math.Max(end, start)));
        if (lineEnd < 0)
        {
            lineEnd = Text.Length;
        }

        if (lineEnd - lineStart > MaxSnippet)
        {
            lineStart = Math.Max(lineStart, start - 60);
            lineEnd = Math.Min(lineEnd, Math.Max(end, lineStart + MaxSnippet));
            lineEnd = Math.Min(lineEnd, lineStart + MaxSnippet);
        }

        return RfpText.Collapse(Text[lineStart..lineEnd]);
    }

    private int SegmentAt(int offset)
    {
        var found = Array.BinarySearch(_starts, offset);
        return found >= 0 ? found : Math.Max(0, ~found - 1);
    }
}

internal static class RfpText
{
    /// <summary>Runs of whitespace as one space, trimmed.</summary>
    public static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
