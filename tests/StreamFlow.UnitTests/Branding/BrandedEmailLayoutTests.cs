using StreamFlow.Core.Branding;

namespace StreamFlow.UnitTests.Branding;

public sealed class BrandedEmailLayoutTests
{
    private static readonly Brand Acme = new("Acme <HVAC>", "#0B3D91", "#FFCC00", "Acme Service", "help@acme.example", "Acme HVAC · 1 Main St\nUnsubscribe: reply STOP", null)
    {
        ProductName = "FieldPro",
    };

    [Fact]
    public void A_text_mail_gets_the_header_footer_and_signature_with_every_brand_value_encoded()
    {
        var rendered = BrandedEmailLayout.Render(Acme, "Reset your StreamFlow password", "Hello <b>Sam</b>,\n\nReset it here.", null, null);

        Assert.Equal("Reset your FieldPro password", rendered.Subject);
        Assert.Contains("Acme &lt;HVAC&gt;", rendered.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<HVAC>", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("Hello &lt;b&gt;Sam&lt;/b&gt;,", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("background:#0B3D91;color:#FFFFFF", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("border-bottom:4px solid #FFCC00", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("1 Main St<br>Unsubscribe: reply STOP", rendered.Html, StringComparison.Ordinal);
        Assert.EndsWith("-- \nAcme <HVAC>\nAcme HVAC · 1 Main St\nUnsubscribe: reply STOP\n", rendered.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_html_document_keeps_its_head_and_gets_the_header_after_its_body_tag()
    {
        const string report = "<!DOCTYPE html><html><head><style>td{padding:4px}</style></head><body class=\"r\"><h2>Week</h2></body></html>";

        var html = BrandedEmailLayout.Render(Acme, "Report", "Week", report, "cid:brand-logo").Html;

        Assert.StartsWith("<!DOCTYPE html><html><head><style>td{padding:4px}</style></head><body class=\"r\"><div class=\"sf-brand-header\"", html, StringComparison.Ordinal);
        Assert.Contains("</div><h2>Week</h2><div class=\"sf-brand-footer\"", html, StringComparison.Ordinal);
        Assert.EndsWith("</body></html>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_logo_is_shown_only_when_the_brand_has_one_and_the_product_name_only_in_prose()
    {
        var withLogo = Acme with { Logo = new BrandLogo("image/png", [1, 2, 3], 120, 40) };

        var html = BrandedEmailLayout.Render(withLogo, "s", "Mail streamflow@localhost.test or see StreamFlow.Core; StreamFlow works.", null, "cid:brand-logo").Html;

        Assert.Contains("<img src=\"cid:brand-logo\" alt=\"Acme &lt;HVAC&gt;\"", html, StringComparison.Ordinal);
        Assert.Contains("streamflow@localhost.test or see StreamFlow.Core; FieldPro works.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", BrandedEmailLayout.Render(Acme, "s", "t", null, "cid:brand-logo").Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("#FFFFFF", "#000000")]
    [InlineData("#FFCC00", "#000000")]
    [InlineData("#0B3D91", "#FFFFFF")]
    [InlineData("#000000", "#FFFFFF")]
    public void Header_text_is_black_or_white_whichever_contrasts_more(string background, string text) =>
        Assert.Equal(text, BrandedEmailLayout.TextColourOn(background));

    [Fact]
    public void Every_email_kind_has_a_sample_and_the_names_are_unique()
    {
        var samples = EmailKinds.Samples("Acme");

        Assert.Equal(samples.Count, samples.Select(s => s.Kind).Distinct().Count());
        Assert.Contains("invitation", EmailKinds.Names);
        Assert.Contains("quote", EmailKinds.Names);
    }
}
