using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.EndToEndTests.Identity;
using Xunit.Abstractions;

namespace StreamFlow.EndToEndTests.Fuzz;

/// <summary>
/// Every operation of the live /api/openapi.json gets malformed path, query and body values: it must never answer 5xx,
/// every error must be problem+json, and values no route may accept (control characters, dates outside the supported
/// range, bodies that are not JSON, too deep or not UTF-8) must be refused with a 4xx. An operation the generator
/// cannot feed (a request content type it does not know) fails the test, so a new route is covered or noticed.
/// Deterministic: the values are fixed lists, not random.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class OpenApiFuzzTests(HostFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] BadPathValues = ["%00", "a%01b", "not-a-uuid", "0001-01-01", new('9', 400)];

    // Kestrel itself answers a bare 400 to a NUL in the path, before any of our code runs; it is refused all the same.
    private const string RefusedByTheServer = "%00";

    private static readonly string[] MustRejectQueryValues = ["%00", "a%01b", "0001-01-01", "9999-12-31T23:59:59Z"];

    private static readonly string[] OtherQueryValues = ["-1e999", "9223372036854775808", "%FF%FE", "[]", new('a', 3000)];

    private static readonly string[] MustRejectBodies =
    [
        "{\"x\":", "[]", "\"text\"", "42", new string('[', 200) + new string(']', 200), "{\"a\":\"\\u0000\"}",
    ];

    private static readonly string[] MustRejectPropertyValues = ["\"\\u0000\"", "\"0001-01-01\"", "\"9999-12-31T23:59:59Z\""];

    private static readonly string[] OtherPropertyValues =
        ["1e400", "-9223372036854775809", "{\"deep\":[[[[[1]]]]]}", "[\"\"]", "true", $"\"{new string('x', 20000)}\""];

    private static readonly HashSet<string> KnownFileTypes = ["text/csv", "application/pdf", "multipart/form-data", "application/octet-stream", "image/png"];

    [Fact]
    public async Task Every_operation_refuses_malformed_input_with_a_4xx_problem_and_never_a_5xx()
    {
        var document = (await fixture.Client.GetFromJsonAsync<JsonObject>("/api/openapi.json"))!;
        var tenant = await Tenants.CreateAsync(fixture);
        var tokens = new Dictionary<string, string>
        {
            ["clientSession"] = tenant.OwnerToken,
            ["providerJwt"] = await fixture.LoginAsync("provider"),
            ["developerJwt"] = await fixture.LoginAsync("dev"),
        };

        var failures = new List<string>();
        var operations = 0;
        var requests = 0;
        var refused = new HashSet<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                var operation = node!.AsObject();
                var name = $"{method.ToUpperInvariant()} {path}";
                operations++;
                foreach (var fuzz in Cases(document, path, operation, failures, name))
                {
                    requests++;
                    using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), fuzz.Url);
                    // Signed federation operations are fuzzed unsigned: the signature check must refuse them with a 401 problem.
                    if (Scheme(operation) is { } scheme && tokens.TryGetValue(scheme, out var token))
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    }

                    if (fuzz.Body is not null)
                    {
                        request.Content = new ByteArrayContent(fuzz.Body);
                        request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
                    }

                    using var response = await fixture.Client.SendAsync(request);
                    var status = (int)response.StatusCode;
                    var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                    var bareRefusalAllowed = fuzz.Url.Contains(RefusedByTheServer, StringComparison.Ordinal) && !fuzz.Url.Contains('?', StringComparison.Ordinal);
                    if (status >= 500 || (status >= 400 && !problem && !bareRefusalAllowed) || (fuzz.MustReject && status is < 400 or >= 500))
                    {
                        failures.Add($"{name} [{fuzz.What}] {fuzz.Url} → {status} {(problem ? "problem" : response.Content.Headers.ContentType?.MediaType)}: "
                            + Truncate(await response.Content.ReadAsStringAsync()));
                    }
                    else if (fuzz.MustReject)
                    {
                        refused.Add(name);
                    }
                }

                if (!refused.Contains(name))
                {
                    failures.Add($"{name}: no malformed input was refused (not covered)");
                }
            }
        }

        output.WriteLine($"Fuzz: {requests} requests over {operations} operations, {failures.Count} failures.");
        Assert.True(operations > 50, $"only {operations} operations in the document");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)) + $"\n({failures.Count} failures in {requests} requests over {operations} operations)");
    }

    private sealed record Case(string What, string Url, string? ContentType, byte[]? Body, bool MustReject);

    private static IEnumerable<Case> Cases(JsonObject document, string path, JsonObject operation, List<string> failures, string name)
    {
        var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        var pathParameters = parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToList();
        var queryParameters = parameters.Where(p => (string?)p["in"] == "query").Select(p => (string)p["name"]!).ToList();
        var validPath = pathParameters.Aggregate(path, (url, p) => url.Replace("{" + p + "}", "00000000-0000-4000-8000-000000000000", StringComparison.Ordinal));

        yield return new Case("undeclared query NUL", validPath + "?fuzz=%00", null, null, MustReject: true);

        foreach (var parameter in pathParameters)
        {
            foreach (var value in BadPathValues)
            {
                var url = pathParameters.Aggregate(path, (u, p) => u.Replace("{" + p + "}", p == parameter ? value : "00000000-0000-4000-8000-000000000000", StringComparison.Ordinal));
                yield return new Case($"path {parameter}={Truncate(value)}", url, null, null, MustReject: value.Contains('%', StringComparison.Ordinal));
            }
        }

        foreach (var parameter in queryParameters)
        {
            foreach (var value in MustRejectQueryValues)
            {
                yield return new Case($"query {parameter}={value}", $"{validPath}?{parameter}={value}", null, null, MustReject: true);
            }

            foreach (var value in OtherQueryValues)
            {
                yield return new Case($"query {parameter}={Truncate(value)}", $"{validPath}?{parameter}={value}", null, null, MustReject: false);
            }
        }

        if (operation["requestBody"]?["content"] is not JsonObject content)
        {
            yield break;
        }

        foreach (var (contentType, media) in content)
        {
            if (contentType == "application/json")
            {
                foreach (var body in MustRejectBodies)
                {
                    yield return new Case($"body {Truncate(body)}", validPath, "application/json", Encoding.UTF8.GetBytes(body), MustReject: true);
                }

                yield return new Case("body invalid UTF-8", validPath, "application/json", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], MustReject: true);
                yield return new Case("body as text/plain", validPath, "text/plain", "{}"u8.ToArray(), MustReject: true);
                foreach (var property in Properties(document, media!["schema"]))
                {
                    foreach (var value in MustRejectPropertyValues)
                    {
                        yield return new Case($"body {property}={value}", validPath, "application/json", Encoding.UTF8.GetBytes($"{{\"{property}\":{value}}}"), MustReject: true);
                    }

                    foreach (var value in OtherPropertyValues)
                    {
                        yield return new Case($"body {property}={Truncate(value)}", validPath, "application/json", Encoding.UTF8.GetBytes($"{{\"{property}\":{value}}}"), MustReject: false);
                    }
                }
            }
            else if (KnownFileTypes.Contains(contentType))
            {
                yield return new Case("multipart type on a plain body", validPath, "multipart/form-data; boundary=fuzz", "not multipart"u8.ToArray(), MustReject: true);
                yield return new Case("wrong file type", validPath, "application/x-fuzz", "\0\0\0"u8.ToArray(), MustReject: true);
            }
            else
            {
                failures.Add($"{name}: the fuzz test does not know how to feed {contentType} bodies (not covered)");
            }
        }
    }

    private static IEnumerable<string> Properties(JsonObject document, JsonNode? schema)
    {
        if (schema?["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = document["components"]!["schemas"]![reference.Split('/')[^1]];
        }

        return schema?["properties"] is JsonObject properties ? properties.Select(p => p.Key) : [];
    }

    private static string? Scheme(JsonObject operation) =>
        operation["security"] is JsonArray { Count: > 0 } security ? security[0]!.AsObject().First().Key : null;

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
