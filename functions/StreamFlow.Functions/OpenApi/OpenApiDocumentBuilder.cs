using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;

namespace StreamFlow.Functions.OpenApi;

/// <summary>Builds the OpenAPI 3.1 document from the HTTP triggers and their <see cref="ApiOperationAttribute"/>.</summary>
public sealed partial class OpenApiDocumentBuilder(FunctionCatalog catalog)
{
    private readonly Lazy<string> _document = new(() => Build(catalog).ToJsonString());

    public string Json => _document.Value;

    public static JsonObject Build(FunctionCatalog catalog)
    {
        var schemas = new OpenApiSchemas();
        schemas.Reference(typeof(ProblemBody));
        var paths = new JsonObject();
        foreach (var function in catalog.Http.Where(f => f.Method.GetCustomAttribute<ApiOperationAttribute>() is not null).OrderBy(f => f.Route, StringComparer.Ordinal))
        {
            var operation = function.Method.GetCustomAttribute<ApiOperationAttribute>()!;
            var path = "/" + RouteConstraint().Replace(function.Route, "{$1}");
            var pathItem = paths[path] as JsonObject ?? new JsonObject();
            paths[path] = pathItem;
            foreach (var method in function.Methods)
            {
                pathItem[method.ToLowerInvariant()] = Operation(function, operation, schemas);
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "StreamFlow API",
                ["version"] = "1.0.0",
                ["description"] = "Leads, AI scoring, pipeline, billing, webhooks and reports for service businesses.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.Components(),
                ["securitySchemes"] = new JsonObject
                {
                    ["clientSession"] = Bearer("Opaque client session token from POST /api/v1/auth/login."),
                    ["providerJwt"] = Bearer("Provider JWT from POST /api/v1/provider/auth/login.", "JWT"),
                    ["developerJwt"] = Bearer("Developer JWT from POST /api/v1/dev/auth/login.", "JWT"),
                    ["federationSignature"] = new JsonObject
                    {
                        ["type"] = "apiKey",
                        ["in"] = "header",
                        ["name"] = "Signature",
                        ["description"] = "RFC 9421 HTTP Message Signature (with Signature-Input and Content-Digest) by a key registered under "
                            + "/api/v1/provider/federation/keys; see docs/federation-signatures.md.",
                    },
                },
            },
        };
    }

    private static JsonObject Operation(HttpFunction function, ApiOperationAttribute operation, OpenApiSchemas schemas)
    {
        var result = new JsonObject
        {
            ["operationId"] = function.Name,
            ["summary"] = operation.Summary,
            ["tags"] = new JsonArray(operation.Tag),
        };

        var parameters = new JsonArray();
        foreach (Match match in RouteParameter().Matches(function.Route))
        {
            var schema = match.Groups["constraint"].Value == "guid"
                ? new JsonObject { ["type"] = "string", ["format"] = "uuid" }
                : new JsonObject { ["type"] = "string" };
            parameters.Add(new JsonObject { ["name"] = match.Groups["name"].Value, ["in"] = "path", ["required"] = true, ["schema"] = schema });
        }

        foreach (var name in operation.Query)
        {
            parameters.Add(new JsonObject { ["name"] = name, ["in"] = "query", ["required"] = false, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        if (parameters.Count > 0)
        {
            result["parameters"] = parameters;
        }

        var responses = new JsonObject();
        responses[operation.SuccessStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)] = operation.Response is null
            ? new JsonObject { ["description"] = "Success" }
            : new JsonObject { ["description"] = "Success", ["content"] = Content("application/json", schemas.Reference(operation.Response)) };

        var problems = new SortedSet<int>(operation.Problems) { 500 };
        if (operation.RequestBody is not null)
        {
            result["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = Content(operation.RequestContentType, operation.RequestContentType == "application/json"
                    ? schemas.Reference(operation.RequestBody)
                    : new JsonObject { ["type"] = "string" }),
            };
            problems.UnionWith([400, 413, 415]);
        }

        if (AccessGate.DeclaredOn(function.Method).SecurityScheme is { } scheme)
        {
            problems.Add(401);
            result["security"] = new JsonArray(new JsonObject { [scheme] = new JsonArray() });
        }
        else
        {
            result["security"] = new JsonArray();
        }

        foreach (var status in problems)
        {
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = "Problem details (RFC 9457)",
                ["content"] = Content("application/problem+json", new JsonObject { ["$ref"] = "#/components/schemas/Problem" }),
            };
        }

        result["responses"] = responses;
        return result;
    }

    private static JsonObject Content(string mediaType, JsonNode schema) =>
        new() { [mediaType] = new JsonObject { ["schema"] = schema } };

    private static JsonObject Bearer(string description, string? format = null)
    {
        var scheme = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = description };
        if (format is not null)
        {
            scheme["bearerFormat"] = format;
        }

        return scheme;
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(?::[^}]*)?\}")]
    private static partial Regex RouteConstraint();

    [GeneratedRegex(@"\{(?<name>[A-Za-z0-9_*]+)(?::(?<constraint>[^}]*))?\}")]
    private static partial Regex RouteParameter();
}
