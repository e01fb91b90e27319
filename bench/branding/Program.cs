using System.Diagnostics;
using System.Globalization;
using System.Text;
using MimeKit;
using StreamFlow.Core.Branding;

// What branding costs a mail (issue #21, item 5): composing each kind of mail as MIME without a brand (the baseline:
// what EmailSender did before) and with one (BrandedEmailLayout + logo as a linked resource), and what checking a logo
// costs. CPU only; resolving a brand is a cached read (one minute) and is not measured here.
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var logo = new byte[40 * 1024];
new Random(21).NextBytes(logo);
var brand = new Brand("Acme Heating", "#0B3D91", "#FFCC00", "Acme Heating Team", "help@acme.example", "Acme Heating · 1 Main St\nReply STOP to opt out", new BrandLogo("image/png", logo, 120, 40))
{
    ProductName = "FieldPro",
};
var samples = EmailKinds.Samples("Acme Heating");

MimeMessage Compose(string subject, string text, string? html, Brand? with)
{
    var message = new MimeMessage();
    var from = MailboxAddress.Parse("streamflow@localhost.test");
    var body = new BodyBuilder();
    if (with is null)
    {
        message.Subject = subject;
        body.TextBody = text;
        body.HtmlBody = html;
    }
    else
    {
        var branded = BrandedEmailLayout.Render(with, subject, text, html, "cid:brand-logo");
        from.Name = with.SenderName;
        message.ReplyTo.Add(MailboxAddress.Parse(with.ReplyTo!));
        message.Subject = branded.Subject;
        body.TextBody = branded.Text;
        body.HtmlBody = branded.Html;
        body.LinkedResources.Add("logo.png", with.Logo!.Content, ContentType.Parse("image/png")).ContentId = "brand-logo";
    }

    message.From.Add(from);
    message.To.Add(MailboxAddress.Parse("owner@example.com"));
    message.Body = body.ToMessageBody();
    using var sink = new MemoryStream();
    message.WriteTo(sink);
    return message;
}

double MicrosPerMail(Brand? with)
{
    for (var i = 0; i < 50; i++)
    {
        foreach (var s in samples)
        {
            Compose(s.Subject, s.Text, s.Html, with);
        }
    }

    var watch = Stopwatch.StartNew();
    for (var i = 0; i < iterations; i++)
    {
        var s = samples[i % samples.Count];
        Compose(s.Subject, s.Text, s.Html, with);
    }

    return watch.Elapsed.TotalMicroseconds / iterations;
}

var plain = MicrosPerMail(null);
var branded = MicrosPerMail(brand);
Console.WriteLine($"mail composed and serialised as MIME, {iterations} mails over {samples.Count} kinds:");
Console.WriteLine($"  baseline (no brand):              {plain,8:0.0} µs per mail");
Console.WriteLine($"  branded (layout + 40 KB logo):    {branded,8:0.0} µs per mail  (+{branded - plain:0.0} µs, {branded / plain:0.00}x)");

var svg = new StringBuilder("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000">""");
var r = new Random(7);
while (svg.Length < LogoInspector.MaxBytes - 200)
{
    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{r.Next(1000)}\" y=\"{r.Next(1000)}\" width=\"{r.Next(50)}\" height=\"{r.Next(50)}\" fill=\"#{r.Next(0xFFFFFF):X6}\"/>");
}

var svgBytes = Encoding.UTF8.GetBytes(svg.Append("</svg>").ToString());
var png = new byte[LogoInspector.MaxBytes];
new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 1, 0, 0, 0, 0, 64 }.CopyTo(png, 0);
double MillisPerCheck(byte[] content, string type, int times)
{
    if (!LogoInspector.Inspect(content, type).Succeeded)
    {
        throw new InvalidOperationException($"the {type} sample was refused");
    }

    var watch = Stopwatch.StartNew();
    for (var i = 0; i < times; i++)
    {
        LogoInspector.Inspect(content, type);
    }

    return watch.Elapsed.TotalMilliseconds / times;
}

Console.WriteLine($"logo check at the 512 KB cap:");
Console.WriteLine($"  PNG ({png.Length / 1024} KB, magic bytes + IHDR):   {MillisPerCheck(png, "image/png", 2000),8:0.000} ms");
Console.WriteLine($"  SVG ({svgBytes.Length / 1024} KB, every node read):    {MillisPerCheck(svgBytes, "image/svg+xml", 20),8:0.000} ms");
