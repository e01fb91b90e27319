using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamFlow.Core.Branding;

/// <summary>A message after branding: what the mail carries in each part.</summary>
public sealed record BrandedContent(string Subject, string Text, string Html);

/// <summary>
/// The one rendering step of every mail: the brand's header (logo, display name, primary colour, accent rule) above
/// the body and its footer below, in the HTML part; the display name and footer under the text part; the product's
/// name ("StreamFlow") replaced by the provider's display name. A body that is already an HTML document (a report, an
/// invoice) keeps its own head and styles: the header is placed after its &lt;body&gt; and the footer before
/// &lt;/body&gt;. Every value from a brand is HTML-encoded; colours were validated as #RRGGBB.
/// </summary>
public static partial class BrandedEmailLayout
{
    /// <summary>The Content-ID under which mail embeds the logo (previews use a data: URI instead).</summary>
    public const string LogoContentId = "brand-logo";

    public static BrandedContent Render(Brand brand, string subject, string text, string? html, string? logoSource)
    {
        subject = Rename(subject, brand);
        text = Rename(text, brand);
        var textPart = new StringBuilder(text.TrimEnd()).Append("\n\n-- \n").Append(brand.DisplayName).Append('\n');
        if (brand.Footer is { } footer)
        {
            textPart.Append(footer).Append('\n');
        }

        var header = Header(brand, logoSource);
        var footerHtml = FooterHtml(brand);
        string htmlPart;
        if (html is not null && BodyOpen().Match(html) is { Success: true } open && html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase) is var close and > 0 && close > open.Index)
        {
            var renamed = Rename(html, brand, isHtml: true);
            open = BodyOpen().Match(renamed);
            close = renamed.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
            htmlPart = string.Concat(renamed[..(open.Index + open.Length)], header, renamed[(open.Index + open.Length)..close], footerHtml, renamed[close..]);
        }
        else
        {
            var body = html is not null ? Rename(html, brand, isHtml: true) : TextToHtml(text);
            htmlPart = $"""
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{Encode(subject)}</title></head>
                <body style="margin:0;padding:0;background:#F4F5F7;font-family:Arial,Helvetica,sans-serif;color:#1F2328">
                {header}<div style="max-width:600px;margin:0 auto;background:#FFFFFF;padding:24px;font-size:15px;line-height:1.5">{body}</div>{footerHtml}
                </body></html>
                """;
        }

        return new BrandedContent(subject, textPart.ToString(), htmlPart);
    }

    /// <summary>Black or white, whichever reads better on <paramref name="background"/> (WCAG relative luminance).</summary>
    public static string TextColourOn(string background)
    {
        static double Channel(string hex)
        {
            var c = int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        var luminance = 0.2126 * Channel(background[1..3]) + 0.7152 * Channel(background[3..5]) + 0.0722 * Channel(background[5..7]);
        return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? "#000000" : "#FFFFFF";
    }

    private static string Header(Brand brand, string? logoSource)
    {
        var logo = brand.Logo is not null && logoSource is not null
            ? $"<img src=\"{Encode(logoSource)}\" alt=\"{Encode(brand.DisplayName)}\" height=\"40\" style=\"height:40px;vertical-align:middle;margin-right:12px;border:0\">"
            : "";
        return $"<div class=\"sf-brand-header\" style=\"max-width:600px;margin:0 auto;background:{brand.PrimaryColor};color:{TextColourOn(brand.PrimaryColor)};"
            + $"padding:16px 24px;border-bottom:4px solid {brand.AccentColor};font-family:Arial,Helvetica,sans-serif;font-size:20px;font-weight:bold\">"
            + $"{logo}<span>{Encode(brand.DisplayName)}</span></div>";
    }

    private static string FooterHtml(Brand brand) =>
        "<div class=\"sf-brand-footer\" style=\"max-width:600px;margin:0 auto;padding:16px 24px;border-top:1px solid #E5E7EB;color:#6B7280;"
        + $"font-family:Arial,Helvetica,sans-serif;font-size:12px\">{Encode(brand.DisplayName)}"
        + (brand.Footer is { } footer ? "<br>" + Encode(footer).Replace("\n", "<br>", StringComparison.Ordinal) : "") + "</div>";

    private static string TextToHtml(string text) =>
        string.Join("", text.ReplaceLineEndings("\n").Split("\n\n").Where(p => p.Trim().Length > 0)
            .Select(p => $"<p style=\"margin:0 0 12px\">{Encode(p.Trim()).Replace("\n", "<br>", StringComparison.Ordinal)}</p>"));

    private static string Rename(string value, Brand brand, bool isHtml = false) =>
        brand.ProductName == "StreamFlow" ? value : ProductWord().Replace(value, isHtml ? Encode(brand.ProductName) : brand.ProductName);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    [GeneratedRegex(@"<body\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BodyOpen();

    // The product's name as a word in prose: not inside an address or identifier (streamflow@…, StreamFlow.Core).
    [GeneratedRegex(@"(?<![\w@./-])StreamFlow(?![\w@/-]|\.\w)")]
    private static partial Regex ProductWord();
}
