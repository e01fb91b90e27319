using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Branding;

/// <summary>White-label branding over HTTP (docs/branding.md): set, checked, applied to real mail and previewed.</summary>
[Collection(HostCollection.Name)]
public sealed class BrandingApiTests(HostFixture fixture)
{
    private static readonly HttpClient Maildev = new() { BaseAddress = new Uri(TestEnvironment.Setting("MAILDEV_API_URL")) };

    private static byte[] Png(int width, int height)
    {
        var bytes = new byte[64];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), (uint)height);
        return bytes;
    }

    private Task<HttpResponseMessage> UploadAsync(string path, string token, byte[] content, string contentType)
    {
        var request = HostFixture.Authorized(HttpMethod.Put, path, token);
        request.Content = new ByteArrayContent(content);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return fixture.Client.SendAsync(request);
    }

    [Fact]
    public async Task The_owner_brands_its_business_and_an_invitation_goes_out_in_that_brand()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var set = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/branding", tenant.OwnerToken, new
        {
            displayName = "Acme Heating", primaryColor = "#0b3d91", accentColor = "#FFCC00", senderName = "Acme Heating Team",
            replyTo = "help@acme-heating.example", footer = "Acme Heating · 1 Main St, Springfield",
        }));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        using var logo = await UploadAsync("/api/v1/branding/logo", tenant.OwnerToken, Png(120, 40), "image/png");
        Assert.Equal(HttpStatusCode.OK, logo.StatusCode);

        var user = await Tenants.AddUserAsync(fixture, tenant, "staff");

        var mail = await Mailbox.WaitForMailAsync(user.Email);
        // The message exactly as sent: maildev's parsed copy is sanitized, which drops cid: image sources.
        using var source = await Maildev.GetStreamAsync($"/api/email/{mail.GetProperty("id").GetString()}/source");
        var sent = await MimeKit.MimeMessage.LoadAsync(source);
        var from = Assert.Single(sent.From.Mailboxes);
        Assert.Equal("Acme Heating Team", from.Name);
        Assert.Equal("help@acme-heating.example", Assert.Single(sent.ReplyTo.Mailboxes).Address);
        Assert.Contains("Acme Heating", sent.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("background:#0B3D91", sent.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("src=\"cid:brand-logo\"", sent.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(sent.BodyParts, part => part.ContentId == "brand-logo" && part.ContentType.MimeType == "image/png");
        Assert.Contains("Acme Heating · 1 Main St, Springfield", sent.TextBody, StringComparison.Ordinal);
        var view = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("#0B3D91", view.GetProperty("own").GetProperty("primaryColor").GetString());
        var audit = await (await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=100", tenant.OwnerToken))).Content.ReadFromJsonAsync<JsonElement>();
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("branding.changed", actions);
        Assert.Contains("branding.logo_set", actions);
    }

    [Fact]
    public async Task A_bad_logo_is_refused_with_a_problem_naming_it_and_changes_nothing()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        const string path = "/api/v1/branding/logo";

        using var script = await UploadAsync(path, tenant.OwnerToken,
            Encoding.UTF8.GetBytes("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script></svg>"""), "image/svg+xml");
        using var lying = await UploadAsync(path, tenant.OwnerToken, Png(120, 40), "image/jpeg");
        using var gif = await UploadAsync(path, tenant.OwnerToken, Encoding.ASCII.GetBytes("GIF89a"), "image/gif");
        using var huge = await UploadAsync(path, tenant.OwnerToken, [.. Png(120, 40), .. new byte[600 * 1024]], "image/png");
        using var colour = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/branding", tenant.OwnerToken, new { primaryColor = "blue" }));

        var refused = await PlatformEndpointTests.AssertProblemAsync(script, HttpStatusCode.BadRequest);
        Assert.Contains("<script>", refused.GetProperty("errors").GetProperty("logo")[0].GetString(), StringComparison.Ordinal);
        await PlatformEndpointTests.AssertProblemAsync(lying, HttpStatusCode.BadRequest);
        await PlatformEndpointTests.AssertProblemAsync(gif, HttpStatusCode.UnsupportedMediaType);
        await PlatformEndpointTests.AssertProblemAsync(huge, HttpStatusCode.RequestEntityTooLarge);
        var bad = await PlatformEndpointTests.AssertProblemAsync(colour, HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("primaryColor", out _));
        var brand = await (await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/branding", tenant.OwnerToken))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, brand.GetProperty("own").GetProperty("logo").ValueKind);
        Assert.Equal(JsonValueKind.Null, brand.GetProperty("own").GetProperty("primaryColor").ValueKind);
    }

    [Fact]
    public async Task The_provider_brands_a_business_and_previews_any_mail_kind_in_it()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");
        using var set = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/branding", provider,
            new { displayName = "Bright Plumbing", primaryColor = "#FFFFFF" }));
        using var logo = await UploadAsync($"/api/v1/provider/tenants/{tenant.Id}/branding/logo", provider,
            Encoding.UTF8.GetBytes("""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" fill="#123456"/></svg>"""), "image/svg+xml");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.OK, logo.StatusCode);

        using var preview = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/branding/previews/quote", tenant.OwnerToken));
        using var unknownKind = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/branding/previews/fax", tenant.OwnerToken));
        using var unknownTenant = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{Guid.NewGuid()}/branding", provider));

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal("text/html", preview.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", preview.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Contains("Quote Q-0007 from Bright Plumbing", html, StringComparison.Ordinal);
        Assert.Contains("background:#FFFFFF;color:#000000", html, StringComparison.Ordinal);
        Assert.Contains("src=\"data:image/svg+xml;base64,", html, StringComparison.Ordinal);
        var problem = await PlatformEndpointTests.AssertProblemAsync(unknownKind, HttpStatusCode.NotFound);
        Assert.Contains("invitation", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await PlatformEndpointTests.AssertProblemAsync(unknownTenant, HttpStatusCode.NotFound);
        var audit = await (await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=100", tenant.OwnerToken))).Content.ReadFromJsonAsync<JsonElement>();
        var change = audit.GetProperty("items").EnumerateArray().First(e => e.GetProperty("action").GetString() == "branding.changed");
        Assert.Equal("provider", change.GetProperty("system").GetString());
    }

    [Fact]
    public async Task The_provider_brand_is_the_default_of_a_business_without_its_own()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");
        try
        {
            using var set = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/provider/branding", provider,
                new { primaryColor = "#224466", footer = "Run by StreamCore Services" }));
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            using var own = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/branding", tenant.OwnerToken, new { accentColor = "#00AA00" }));

            var effective = (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("effective");
            Assert.Equal("#224466", effective.GetProperty("primaryColor").GetString());
            Assert.Equal("#00AA00", effective.GetProperty("accentColor").GetString());
            Assert.Equal("Run by StreamCore Services", effective.GetProperty("footer").GetString());
        }
        finally
        {
            using var reset = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/provider/branding", provider, new { }));
        }
    }
}
