using System.Buffers.Binary;
using System.Globalization;
using System.Xml;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Branding;

/// <summary>
/// Checks an uploaded logo before anything stores it. PNG and JPEG are recognised by their magic bytes, never by the
/// declared type alone, and must be 16–2048 pixels a side. SVG is refused, not sanitised, when it holds anything that
/// could run or fetch: scripts, event-handler attributes, foreignObject/iframe/embed/object, animation elements (which
/// can rewrite an href), references outside the document (href/xlink:href not starting with #, url() not to #,
/// @import, xml-stylesheet) or a DOCTYPE (entities). Refusing keeps the stored file exactly what the owner sent, and a
/// clean logo loses nothing.
/// </summary>
public static class LogoInspector
{
    public const int MaxBytes = 512 * 1024;
    public const int MinSide = 16;
    public const int MaxSide = 2048;

    public static readonly IReadOnlyList<string> MediaTypes = ["image/png", "image/jpeg", "image/svg+xml"];

    private static readonly HashSet<string> ForbiddenElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "foreignObject", "iframe", "embed", "object", "audio", "video", "handler", "listener",
        "animate", "set", "animateMotion", "animateTransform", "animateColor", "discard",
    };

    /// <summary>The logo's type and size, or the problem that names what is wrong with it.</summary>
    public static Result<(string ContentType, int Width, int Height)> Inspect(byte[] content, string? declaredType)
    {
        var declared = (declaredType ?? "").Split(';', 2)[0].Trim().ToLowerInvariant();
        if (!MediaTypes.Contains(declared))
        {
            return new Problem(ProblemKind.UnsupportedMediaType, "Send the logo as image/png, image/jpeg or image/svg+xml.");
        }

        if (content.Length == 0)
        {
            return Problem.Validation("logo", "is empty.");
        }

        if (content.Length > MaxBytes)
        {
            return new Problem(ProblemKind.PayloadTooLarge, $"The logo may be at most {MaxBytes / 1024} KB; this one is {(content.Length + 1023) / 1024} KB.");
        }

        var sniffed = IsPng(content) ? "image/png" : IsJpeg(content) ? "image/jpeg" : LooksLikeXml(content) ? "image/svg+xml" : null;
        if (sniffed is null)
        {
            return Problem.Validation("logo", "is not a PNG, JPEG or SVG image (its first bytes are none of theirs).");
        }

        if (sniffed != declared)
        {
            return Problem.Validation("logo", $"is declared {declared} but its content is {sniffed}.");
        }

        var size = sniffed switch
        {
            "image/png" => PngSize(content),
            "image/jpeg" => JpegSize(content),
            _ => SvgSize(content),
        };
        if (!size.Succeeded)
        {
            return size.Problem;
        }

        var (width, height) = size.Value;
        if (sniffed != "image/svg+xml" && (width is < MinSide or > MaxSide || height is < MinSide or > MaxSide))
        {
            return Problem.Validation("logo", $"must be {MinSide} to {MaxSide} pixels on each side; it is {width}×{height}.");
        }

        return (sniffed, width, height);
    }

    private static bool IsPng(ReadOnlySpan<byte> b) => b.Length >= 8 && b[..8].SequenceEqual((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    private static bool IsJpeg(ReadOnlySpan<byte> b) => b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;

    private static bool LooksLikeXml(ReadOnlySpan<byte> b)
    {
        var start = b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
        while (start < b.Length && b[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        return start < b.Length && b[start] == (byte)'<';
    }

    private static Result<(int, int)> PngSize(byte[] b)
    {
        if (b.Length < 24 || b[12] != (byte)'I' || b[13] != (byte)'H' || b[14] != (byte)'D' || b[15] != (byte)'R')
        {
            return Problem.Validation("logo", "is a PNG without its IHDR header (truncated or damaged).");
        }

        return ((int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(16)), int.MaxValue),
            (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(20)), int.MaxValue));
    }

    private static Result<(int, int)> JpegSize(byte[] b)
    {
        var i = 2;
        while (i + 3 < b.Length)
        {
            if (b[i] != 0xFF)
            {
                break;
            }

            var marker = b[i + 1];
            if (marker == 0xFF)
            {
                i++;
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2;
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 2));
            var isFrame = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (isFrame && i + 8 < b.Length)
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 7)), BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i + 5)));
            }

            if (marker == 0xDA || length < 2)
            {
                break;
            }

            i += 2 + length;
        }

        return Problem.Validation("logo", "is a JPEG without a frame header (truncated or damaged).");
    }

    private static Result<(int, int)> SvgSize(byte[] content)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes * 2L,
            IgnoreComments = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(content), settings);
            (int, int)? size = null;
            var depth0 = true;
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.ProcessingInstruction:
                        return Refused($"a processing instruction (<?{reader.Name}?>)");
                    case XmlNodeType.Element:
                        if (depth0)
                        {
                            if (reader.LocalName != "svg")
                            {
                                return Problem.Validation("logo", $"is XML whose root is <{reader.LocalName}>, not <svg>.");
                            }

                            size = SvgDeclaredSize(reader);
                            depth0 = false;
                        }

                        if (ForbiddenElements.Contains(reader.LocalName))
                        {
                            return Refused($"a <{reader.LocalName}> element");
                        }

                        if (reader.MoveToFirstAttribute())
                        {
                            do
                            {
                                if (AttributeRefusal(reader.LocalName, reader.Value) is { } refusal)
                                {
                                    return Refused(refusal);
                                }
                            }
                            while (reader.MoveToNextAttribute());
                            reader.MoveToElement();
                        }

                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA:
                        if (StyleRefusal(reader.Value) is { } styleRefusal)
                        {
                            return Refused(styleRefusal);
                        }

                        break;
                }
            }

            return size is { } known
                ? known
                : Problem.Validation("logo", "is an SVG that declares no size: give the <svg> a viewBox or a width and height.");
        }
        catch (XmlException exception)
        {
            return Problem.Validation("logo", exception.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase)
                ? "is an SVG with a DOCTYPE, which is refused (entities can read files or expand without bound)."
                : $"is not well-formed SVG (line {exception.LineNumber}, position {exception.LinePosition}).");
        }
    }

    private static string? AttributeRefusal(string name, string value)
    {
        if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
        {
            return $"an event-handler attribute ({name})";
        }

        if (name.Equals("href", StringComparison.OrdinalIgnoreCase) && !value.TrimStart().StartsWith('#'))
        {
            return "a reference outside the document (an href not starting with #)";
        }

        return StyleRefusal(value);
    }

    private static string? StyleRefusal(string value)
    {
        var compact = string.Concat(value.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        if (compact.Contains("javascript:", StringComparison.Ordinal) || compact.Contains("vbscript:", StringComparison.Ordinal))
        {
            return "a script URL";
        }

        if (compact.Contains("@import", StringComparison.Ordinal))
        {
            return "a style sheet import (@import)";
        }

        var at = 0;
        while ((at = compact.IndexOf("url(", at, StringComparison.Ordinal)) >= 0)
        {
            var target = compact[(at + 4)..].TrimStart('\'', '"');
            if (!target.StartsWith('#'))
            {
                return "a reference outside the document (a url() not starting with #)";
            }

            at += 4;
        }

        return null;
    }

    private static (int, int)? SvgDeclaredSize(XmlReader reader)
    {
        if (reader.GetAttribute("viewBox") is { } viewBox)
        {
            var parts = viewBox.Split([' ', ',', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 4 && Number(parts[2]) is { } w and > 0 && Number(parts[3]) is { } h and > 0)
            {
                return ((int)Math.Ceiling(w), (int)Math.Ceiling(h));
            }
        }

        return Number(reader.GetAttribute("width")) is { } width and > 0 && Number(reader.GetAttribute("height")) is { } height and > 0
            ? ((int)Math.Ceiling(width), (int)Math.Ceiling(height))
            : null;
    }

    private static double? Number(string? value) =>
        value is not null && double.TryParse(value.Trim().TrimEnd('x', 'p').Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number) ? number : null;

    private static Problem Refused(string what) =>
        Problem.Validation("logo", $"is an SVG holding {what}; SVG logos with scripts, event handlers or external references are refused, not cleaned.");
}
