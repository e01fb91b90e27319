using System.Buffers.Binary;
using System.Text;
using StreamFlow.Core.Branding;
using StreamFlow.Core.Kernel;

namespace StreamFlow.UnitTests.Branding;

public sealed class LogoInspectorTests
{
    public static byte[] Png(int width, int height, int padTo = 64)
    {
        var bytes = new byte[Math.Max(padTo, 33)];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), (uint)height);
        return bytes;
    }

    private static byte[] Jpeg(int width, int height)
    {
        // SOI, an APP0 segment of 16 bytes, then SOF0 with its height and width.
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10 };
        bytes.AddRange(new byte[14]);
        bytes.AddRange([0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width]);
        bytes.AddRange(new byte[12]);
        return [.. bytes];
    }

    private static Result<(string ContentType, int Width, int Height)> Svg(string markup) =>
        LogoInspector.Inspect(Encoding.UTF8.GetBytes(markup), "image/svg+xml");

    [Fact]
    public void A_png_and_a_jpeg_are_recognised_by_their_bytes_with_their_size()
    {
        Assert.Equal(("image/png", 200, 80), LogoInspector.Inspect(Png(200, 80), "image/png").Value);
        Assert.Equal(("image/jpeg", 300, 120), LogoInspector.Inspect(Jpeg(300, 120), "image/jpeg; charset=binary").Value);
    }

    [Fact]
    public void A_declared_type_the_bytes_contradict_is_refused_and_an_unknown_type_is_415()
    {
        var lying = LogoInspector.Inspect(Png(200, 80), "image/jpeg");
        var gif = LogoInspector.Inspect(Encoding.ASCII.GetBytes("GIF89a...."), "image/gif");
        var text = LogoInspector.Inspect(Encoding.ASCII.GetBytes("hello, not an image"), "image/png");

        Assert.Contains("declared image/jpeg but its content is image/png", lying.Problem!.Errors!["logo"][0], StringComparison.Ordinal);
        Assert.Equal(ProblemKind.UnsupportedMediaType, gif.Problem!.Kind);
        Assert.Equal(ProblemKind.Validation, text.Problem!.Kind);
    }

    [Fact]
    public void Too_large_files_and_sizes_out_of_range_are_refused()
    {
        Assert.Equal(ProblemKind.PayloadTooLarge, LogoInspector.Inspect(Png(200, 80, LogoInspector.MaxBytes + 1), "image/png").Problem!.Kind);
        Assert.Contains("4000×80", LogoInspector.Inspect(Png(4000, 80), "image/png").Problem!.Errors!["logo"][0], StringComparison.Ordinal);
        Assert.False(LogoInspector.Inspect(Png(8, 8), "image/png").Succeeded);
        Assert.False(LogoInspector.Inspect(Png(200, 80)[..20], "image/png").Succeeded);
    }

    [Fact]
    public void A_clean_svg_is_accepted_with_the_size_its_view_box_declares()
    {
        var result = Svg("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><defs><linearGradient id="g"/></defs><rect width="120" height="40" fill="url(#g)"/><use href="#g"/></svg>""");

        Assert.Equal(("image/svg+xml", 120, 40), result.Value);
    }

    [Theory]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>""", "<script>")]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="alert(1)"/>""", "event-handler attribute (onload)")]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1"><image xlink:href="https://evil.example/x.png"/></svg>""", "outside the document")]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect style="fill:url(https://evil.example/p)"/></svg>""", "url()")]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><style>@import "https://evil.example/a.css";</style></svg>""", "@import")]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><a href="javascript:alert(1)"><rect/></a></svg>""", "outside the document")]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><set attributeName="href" to="javascript:alert(1)"/></svg>""", "<set>")]
    [InlineData("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><foreignObject><div/></foreignObject></svg>""", "<foreignObject>")]
    [InlineData("""<?xml-stylesheet href="https://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>""", "processing instruction")]
    [InlineData("""<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">&x;</svg>""", "DOCTYPE")]
    public void An_svg_that_could_run_or_fetch_anything_is_refused_naming_what_was_found(string markup, string named)
    {
        var result = Svg(markup);

        Assert.False(result.Succeeded);
        Assert.Contains(named, result.Problem!.Errors!["logo"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void An_svg_without_a_size_or_with_another_root_is_refused()
    {
        Assert.Contains("declares no size", Svg("""<svg xmlns="http://www.w3.org/2000/svg"/>""").Problem!.Errors!["logo"][0], StringComparison.Ordinal);
        Assert.Contains("not <svg>", Svg("""<html><body/></html>""").Problem!.Errors!["logo"][0], StringComparison.Ordinal);
        Assert.Contains("not well-formed", Svg("""<svg viewBox="0 0 1 1">""").Problem!.Errors!["logo"][0], StringComparison.Ordinal);
    }
}
