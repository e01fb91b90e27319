using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.LeadSources;

/// <summary>Web forms through the standalone host: the public intake, its guards, and the lead it makes.</summary>
[Collection(HostCollection.Name)]
public sealed class WebFormTests(HostFixture fixture)
{
    private const string Site = "https://www.acme.example";

    [Fact]
    public async Task A_form_post_becomes_a_lead_with_mapped_fields_attributes_and_the_forms_source()
    {
        var (tenant, form) = await CreateFormAsync();

        using var response = await PostFormAsync(form, "your_name=Dana&your_email=dana%40example.com&budget=5000&ignored=x");
        using var leads = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads?source=Website%20quote", tenant.OwnerToken));
        var lead = Assert.Single((await leads.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(Site, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("Dana", lead.GetProperty("firstName").GetString());
        Assert.Equal("dana@example.com", lead.GetProperty("email").GetString());
        Assert.Equal("5000", lead.GetProperty("attributes").GetProperty("budget").GetString());
        Assert.False(lead.GetProperty("attributes").TryGetProperty("ignored", out _));
    }

    [Fact]
    public async Task A_filled_honeypot_gets_the_same_202_and_nothing_is_stored()
    {
        var (tenant, form) = await CreateFormAsync();

        using var response = await PostFormAsync(form, "your_name=Bot&your_email=bot%40example.com&website=http%3A%2F%2Fspam.example");
        using var leads = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("received", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Empty((await leads.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Another_origin_is_refused_and_gets_no_CORS_header()
    {
        var (_, form) = await CreateFormAsync();

        using var response = await PostFormAsync(form, "your_name=Eve", origin: "https://evil.example");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Each_address_is_limited_per_form()
    {
        var (_, form) = await CreateFormAsync(submissionsPerMinute: 2);

        using var first = await PostFormAsync(form, "your_name=One");
        using var second = await PostFormAsync(form, "your_name=Two");
        using var third = await PostFormAsync(form, "your_name=Three");

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted], new[] { first.StatusCode, second.StatusCode });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
    }

    [Fact]
    public async Task Oversized_wrongly_typed_and_unknown_submissions_are_4xx_problems()
    {
        var (_, form) = await CreateFormAsync();

        using var huge = await PostFormAsync(form, "your_name=" + new string('a', 17 * 1024));
        using var xml = await SendAsync(form, new StringContent("<form/>", Encoding.UTF8, "application/xml"), Site);
        using var nested = await SendAsync(form, JsonContent.Create(new { your_name = new { first = "Dana" } }), Site);
        using var unknown = await SendAsync(form with { FormKey = "frm_" + new string('A', 43) }, new StringContent("your_name=x", Encoding.UTF8, "application/x-www-form-urlencoded"), Site);
        using var badEmail = await PostFormAsync(form, "your_name=Dana&your_email=not-an-email");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nested.StatusCode);
        Assert.True((await nested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("your_name", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        Assert.True((await badEmail.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("your_email", out _));
    }

    [Fact]
    public async Task A_json_submission_works_like_a_form_post_and_a_repeat_visitor_merges_into_one_lead()
    {
        var (tenant, form) = await CreateFormAsync();

        using var first = await SendAsync(form, JsonContent.Create(new { your_name = "Ray", your_email = "ray@example.com" }), Site);
        using var again = await SendAsync(form, JsonContent.Create(new { your_name = "Ray", your_email = "ray@example.com", budget = 900 }), Site);
        using var leads = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Single((await leads.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Form_settings_are_validated_field_by_field_and_the_captcha_secret_is_never_shown()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var invalid = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/lead-sources/web-forms", tenant.OwnerToken, new
        {
            name = "",
            fieldMap = new Dictionary<string, string> { ["a"] = "salary", ["b"] = "email", ["c"] = "email" },
            allowedOrigins = new[] { "https://ok.example", "https://bad.example/path", "*" },
            captchaProvider = "recaptcha",
        }));
        using var valid = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/lead-sources/web-forms", tenant.OwnerToken, new
        {
            name = "Contact",
            fieldMap = new Dictionary<string, string> { ["email"] = "email" },
            captchaProvider = "turnstile",
            captchaSecret = "0x4AAAAAAAVerySecret",
        }));
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToList();

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(["allowedOrigins", "captchaProvider", "captchaSecret", "fieldMap", "fieldMap.a", "name"], errors);
        Assert.Equal(HttpStatusCode.Created, valid.StatusCode);
        Assert.DoesNotContain("VerySecret", await valid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_form_stops_accepting_at_once_though_the_intake_keeps_forms_it_has_read()
    {
        var (tenant, form) = await CreateFormAsync();
        using var first = await PostFormAsync(form, "your_name=Robin&your_email=robin%40example.com");
        using var second = await PostFormAsync(form, "your_name=Sam&your_email=sam%40example.com");

        using var deleted = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/lead-sources/web-forms/{form.Id}", tenant.OwnerToken));
        using var afterDelete = await PostFormAsync(form, "your_name=Kim&your_email=kim%40example.com");
        using var leads = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads?source=Website%20quote", tenant.OwnerToken));

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, second.StatusCode));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.Equal(["Robin", "Sam"], (await leads.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Select(l => l.GetProperty("firstName").GetString()!).Order(StringComparer.Ordinal));
    }

    private async Task<(TestTenant Tenant, FormRef Form)> CreateFormAsync(int? submissionsPerMinute = null)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/lead-sources/web-forms", tenant.OwnerToken, new
        {
            name = "Quote request",
            leadSource = "Website quote",
            fieldMap = new Dictionary<string, string> { ["your_name"] = "firstName", ["your_email"] = "email", ["budget"] = "attributes.budget" },
            allowedOrigins = new[] { Site },
            honeypotField = "website",
            submissionsPerMinute,
        }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var form = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (tenant, new FormRef(form.GetProperty("id").GetGuid(), form.GetProperty("formKey").GetString()!, form.GetProperty("submitPath").GetString()!));
    }

    private Task<HttpResponseMessage> PostFormAsync(FormRef form, string body, string origin = Site) =>
        SendAsync(form, new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"), origin);

    private Task<HttpResponseMessage> SendAsync(FormRef form, HttpContent content, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/forms/{form.FormKey}/submissions") { Content = content };
        request.Headers.Add("Origin", origin);
        return fixture.Client.SendAsync(request);
    }

    private sealed record FormRef(Guid Id, string FormKey, string SubmitPath);
}
