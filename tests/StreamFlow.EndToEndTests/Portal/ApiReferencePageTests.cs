using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StreamFlow.EndToEndTests.Portal;

/// <summary>
/// The API reference page in a real browser (Debian's chromium, installed by test.sh): its script fetches the OpenAPI
/// document and must list every operation of it, from this app's own assets and nothing else.
/// </summary>
[Collection(HostCollection.Name)]
public sealed partial class ApiReferencePageTests(HostFixture fixture)
{
    [Fact]
    public async Task A_headless_browser_finds_every_operation_of_the_openapi_document_listed()
    {
        using var openApi = JsonDocument.Parse(await fixture.Client.GetStringAsync("/api/openapi.json"));
        var expected = openApi.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))
            .Order(StringComparer.Ordinal).ToList();

        var dom = await DumpDomAsync(new Uri(fixture.Client.BaseAddress!, "/api/docs"));
        var listed = OperationAttribute().Matches(dom).Select(match => WebUtility.HtmlDecode(match.Groups["operation"].Value)).Order(StringComparer.Ordinal).ToList();

        Assert.Contains("operations.", dom, StringComparison.Ordinal);
        Assert.Equal(expected, listed);
        Assert.Contains("GET /api/v1/leads", listed);
    }

    [Fact]
    public async Task The_page_and_its_assets_come_from_this_app_under_a_strict_content_security_policy()
    {
        using var page = await fixture.Client.GetAsync("/api/docs");
        using var script = await fixture.Client.GetAsync("/api/docs/reference.js");
        using var missing = await fixture.Client.GetAsync("/api/docs/..%2Fhost.json");

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("http", Regex.Replace(await page.Content.ReadAsStringAsync(), "<!doctype html>|xmlns=\"[^\"]*\"", ""), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<string> DumpDomAsync(Uri page)
    {
        var browser = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(path => path is not null)
            ?? throw new InvalidOperationException("No chromium on PATH: test.sh installs Debian's chromium (apt-get install chromium).");
        var profile = Directory.CreateTempSubdirectory("sf-chromium-");
        try
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    $"--user-data-dir={profile.FullName}", "--virtual-time-budget=20000", "--dump-dom", page.ToString(),
                },
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            var dom = await output;
            Assert.True(dom.Length > 0, "chromium printed no DOM: " + await errors);
            return dom;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    [GeneratedRegex("data-operation=\"(?<operation>[^\"]+)\"")]
    private static partial Regex OperationAttribute();
}
