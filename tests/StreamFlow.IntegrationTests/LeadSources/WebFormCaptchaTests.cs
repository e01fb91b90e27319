using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.LeadSources.WebForms;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace StreamFlow.IntegrationTests.LeadSources;

/// <summary>
/// Captcha checks of web forms against a fake of the vendors' documented siteverify APIs (form-encoded secret, response,
/// remoteip; JSON success and error-codes), on the real database.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class WebFormCaptchaTests : IDisposable
{
    private const string Secret = "0x4AAAAAAATestSecret";
    private static readonly LeadFilter NoFilter = new(null, null, null, null, null, null, null, null, false);
    private readonly WireMockServer _vendor = WireMockServer.Start();
    private readonly ServiceProvider _provider;

    public WebFormCaptchaTests(TestServices services)
    {
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(services.Configuration)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LeadSources:Captcha:TurnstileBaseUrl"] = _vendor.Url,
                ["LeadSources:Captcha:HCaptchaBaseUrl"] = _vendor.Url,
            })
            .Build();
        _provider = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddStreamFlowFunctions(configuration).BuildServiceProvider();
    }

    [Fact]
    public async Task A_token_turnstile_accepts_lets_the_lead_in_and_the_secret_and_address_reach_siteverify()
    {
        Siteverify("/turnstile/v0/siteverify", "good-token", """{"success":true,"challenge_ts":"2026-12-06T00:00:00Z","hostname":"www.example.com","error-codes":[]}""");
        var (tenant, form) = await FormAsync("turnstile");

        var outcome = await SubmitAsync(form, new() { ["email"] = "visitor@example.com", ["cf-turnstile-response"] = "good-token" });

        Assert.True(outcome.Succeeded, outcome.Problem?.ToString());
        Assert.NotNull(outcome.Value.Lead);
        Assert.Equal("visitor@example.com", (await Leads().GetAsync(tenant, outcome.Value.Lead!.Id, false, default)).Value!.Email);
        var call = Assert.Single(_vendor.LogEntries);
        Assert.Contains($"secret={Secret}", call.RequestMessage.Body, StringComparison.Ordinal);
        Assert.Contains("remoteip=203.0.113.7", call.RequestMessage.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_the_vendor_rejects_is_a_400_naming_the_widget_field_and_stores_nothing()
    {
        Siteverify("/siteverify", "used-token", """{"success":false,"error-codes":["invalid-or-already-seen-response"]}""");
        var (tenant, form) = await FormAsync("hcaptcha");

        var outcome = await SubmitAsync(form, new() { ["email"] = "bot@example.com", ["h-captcha-response"] = "used-token" });

        Assert.Equal(ProblemKind.Validation, outcome.Problem?.Kind);
        Assert.Contains("invalid-or-already-seen-response", Assert.Single(outcome.Problem!.Errors!["h-captcha-response"]), StringComparison.Ordinal);
        Assert.Empty((await Leads().ListAsync(tenant, NoFilter, 10, null, default)).Items);
    }

    [Fact]
    public async Task A_missing_token_is_refused_without_asking_the_vendor()
    {
        var (_, form) = await FormAsync("turnstile");

        var outcome = await SubmitAsync(form, new() { ["email"] = "visitor@example.com" });

        Assert.True(outcome.Problem!.Errors!.ContainsKey("cf-turnstile-response"));
        Assert.Empty(_vendor.LogEntries);
    }

    [Theory]
    [InlineData(500, """{"success":true}""")]
    [InlineData(200, "<html>maintenance</html>")]
    public async Task A_vendor_that_fails_or_answers_garbage_is_a_503_not_a_pass(int status, string body)
    {
        _vendor.Given(Request.Create().WithPath("/turnstile/v0/siteverify").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));
        var (tenant, form) = await FormAsync("turnstile");

        var outcome = await SubmitAsync(form, new() { ["email"] = "visitor@example.com", ["cf-turnstile-response"] = "any" });

        Assert.Equal(ProblemKind.Unavailable, outcome.Problem?.Kind);
        Assert.Empty((await Leads().ListAsync(tenant, NoFilter, 10, null, default)).Items);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _vendor.Stop();
        _vendor.Dispose();
    }

    private void Siteverify(string path, string token, string answer) =>
        _vendor.Given(Request.Create().WithPath(path).UsingPost()
                .WithHeader("Content-Type", new WildcardMatcher("application/x-www-form-urlencoded*"))
                .WithBody(new RegexMatcher($"(^|&)response={token}(&|$)")))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(answer));

    private LeadService Leads() => _provider.GetRequiredService<LeadService>();

    private async Task<(Guid Tenant, WebFormView Form)> FormAsync(string provider)
    {
        var slug = $"forms-{Guid.NewGuid():N}"[..20];
        var tenant = (await _provider.GetRequiredService<TenantService>().CreateAsync(
            new CreateTenantRequest("Forms", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
        var form = await _provider.GetRequiredService<WebFormService>().CreateAsync(tenant,
            new CreateWebForm("Quote request", null, new() { ["email"] = "email" }, ["https://www.example.com"], null, provider, Secret, null), default);
        return (tenant, form.Value!);
    }

    private Task<Result<WebFormOutcome>> SubmitAsync(WebFormView form, Dictionary<string, string> fields) =>
        _provider.GetRequiredService<WebFormIntake>().SubmitAsync(new WebFormSubmission(form.FormKey, fields, "https://www.example.com", "203.0.113.7"), default);
}
