using System.Reflection;
using System.Text.Json.Nodes;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.UnitTests.Hosting;

public sealed class OpenApiDocumentTests
{
    private static readonly FunctionCatalog Catalog =
        FunctionCatalog.Load(typeof(FunctionsServiceCollectionExtensions).Assembly, Path.Combine(RepositoryPaths.Root, "host.json"));

    private static readonly JsonObject Document = OpenApiDocumentBuilder.Build(Catalog);

    [Fact]
    public void Every_http_function_except_the_catch_all_is_documented()
    {
        var undocumented = Catalog.Http
            .Where(f => f.Name != "UnknownRoute" && f.Method.GetCustomAttribute<ApiOperationAttribute>() is null)
            .Select(f => f.Name);

        Assert.Empty(undocumented);
    }

    [Fact]
    public void Document_paths_and_methods_match_the_triggers()
    {
        var documented = Document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"))
            .Order();
        var declared = Catalog.Http
            .Where(f => f.Name != "UnknownRoute")
            .SelectMany(f => f.Methods.Select(m => $"{m} /{System.Text.RegularExpressions.Regex.Replace(f.Route, @"\{(\w+)(:[^}]*)?\}", "{$1}")}"))
            .Order();

        Assert.Equal(declared, documented);
    }

    [Fact]
    public void Document_is_openapi_3_1_with_problem_schema_and_four_security_schemes()
    {
        Assert.Equal("3.1.0", Document["openapi"]!.GetValue<string>());
        Assert.NotNull(Document["components"]!["schemas"]!["Problem"]);
        var schemes = Document["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key).Order();
        Assert.Equal(["clientSession", "developerJwt", "federationSignature", "providerJwt"], schemes);
    }

    [Fact]
    public void Authenticated_operations_declare_security_and_401()
    {
        var startSelfTest = Document["paths"]!["/api/v1/dev/self-tests"]!["post"]!;

        Assert.NotNull(startSelfTest["security"]);
        Assert.NotNull(startSelfTest["responses"]!["401"]);
        Assert.NotNull(startSelfTest["responses"]!["202"]);
    }

    [Fact]
    public void Every_reference_resolves_to_a_shared_schema()
    {
        var references = Descendants(Document).OfType<JsonObject>()
            .Where(node => node.ContainsKey("$ref"))
            .Select(node => node["$ref"]!.GetValue<string>())
            .Distinct()
            .ToList();

        Assert.NotEmpty(references);
        Assert.All(references, reference =>
        {
            Assert.StartsWith("#/components/schemas/", reference, StringComparison.Ordinal);
            Assert.NotNull(Document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]);
        });
    }

    [Fact]
    public void Numbers_are_typed_as_numbers_only()
    {
        var mixed = Descendants(Document).OfType<JsonObject>()
            .Where(node => node["type"] is JsonArray types && types.Any(t => t!.GetValue<string>() == "string")
                && types.Any(t => t!.GetValue<string>() is "integer" or "number"))
            .Select(node => node.GetPath());

        Assert.Empty(mixed);
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }
}
