using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using StreamFlow.Core.Json;
using StreamFlow.Functions.Http;

namespace StreamFlow.Functions.OpenApi;

/// <summary>
/// Exports JSON schemas of request and response types with every object and enum type moved to
/// <c>components/schemas</c> and referenced as <c>#/components/schemas/Name</c>. The exporter alone would
/// reference a repeated type by its place inside the first schema (<c>#/properties/x/items</c>), which points
/// nowhere once that schema is embedded in the document.
/// </summary>
internal sealed class OpenApiSchemas
{
    private static readonly Dictionary<Type, string> FixedNames = new() { [typeof(ProblemBody)] = "Problem" };

    private readonly SortedDictionary<string, JsonNode> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _names = [];
    private readonly JsonSchemaExporterOptions _exporter;

    public OpenApiSchemas() => _exporter = new JsonSchemaExporterOptions
    {
        // A body, a list item or a map value without a nullable annotation is not null (the exporter's default says it may be).
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Hoist,
    };

    /// <summary>The schema of <paramref name="type"/>: a reference for objects and enums, inline for the rest.</summary>
    public JsonNode Reference(Type type)
    {
        var schema = StreamFlowJson.Options.GetJsonSchemaAsNode(type, _exporter);
        return InlineLocalReferences(schema, schema)!;
    }

    public JsonObject Components()
    {
        var result = new JsonObject();
        foreach (var (name, schema) in _components)
        {
            result[name] = schema.DeepClone();
        }

        return result;
    }

    private JsonNode Hoist(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (schema is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.True)
        {
            // "Any JSON" (JsonElement, object) as {} rather than true: generators read a boolean schema as no schema.
            return new JsonObject();
        }

        var type = context.TypeInfo.Type;
        var isEnum = (Nullable.GetUnderlyingType(type) ?? type).IsEnum;
        if ((context.TypeInfo.Kind != JsonTypeInfoKind.Object && !isEnum) || schema is not JsonObject node)
        {
            return schema;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        var nullable = RemoveNull(node);
        var name = NameOf(type);
        if (!node.ContainsKey("$ref"))
        {
            _components[name] = node;
        }

        var reference = new JsonObject { ["$ref"] = $"#/components/schemas/{name}" };
        return nullable
            ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) }
            : reference;
    }

    /// <summary>Takes "null" out of the schema's type (or enum) and says whether it was there.</summary>
    private static bool RemoveNull(JsonObject node)
    {
        var nullable = false;
        if (node["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
        {
            var rest = types.Where(t => t?.GetValue<string>() != "null").Select(t => t!.GetValue<string>()).ToArray();
            node["type"] = rest.Length == 1 ? JsonValue.Create(rest[0]) : new JsonArray([.. rest.Select(t => (JsonNode)JsonValue.Create(t))]);
            nullable = true;
        }

        if (node["enum"] is JsonArray values && values.Any(v => v is null))
        {
            node["enum"] = new JsonArray([.. values.Where(v => v is not null).Select(v => v!.DeepClone())]);
            nullable = true;
        }

        return nullable;
    }

    private string NameOf(Type type)
    {
        if (_names.TryGetValue(type, out var known))
        {
            return known;
        }

        var name = FixedNames.TryGetValue(type, out var fixedName) ? fixedName : Readable(type);
        for (var suffix = 2; _names.ContainsValue(name); suffix++)
        {
            name = Readable(type) + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        _names[type] = name;
        return name;
    }

    /// <summary><c>Page&lt;LeadSummary&gt;</c> → <c>PageOfLeadSummary</c>; nested types keep their declaring type's name.</summary>
    private static string Readable(Type type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick] + "Of" + string.Concat(type.GetGenericArguments().Select(Readable));
        }

        return type.IsNested && !type.IsGenericParameter ? Readable(type.DeclaringType!) + name : name;
    }

    /// <summary>
    /// Replaces what is left of the exporter's own references (a repeated list or map type, found by its place in
    /// the first schema) with a copy of what they point to; objects and enums are component references by then.
    /// </summary>
    private static JsonNode? InlineLocalReferences(JsonNode? node, JsonNode root) => node switch
    {
        JsonObject obj when obj["$ref"] is JsonValue pointer && pointer.GetValue<string>() is var target
            && target.StartsWith('#') && !target.StartsWith("#/components/", StringComparison.Ordinal)
            => InlineLocalReferences(Resolve(root, target), root),
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, InlineLocalReferences(p.Value, root)))),
        JsonArray array => new JsonArray([.. array.Select(item => InlineLocalReferences(item, root))]),
        _ => node?.DeepClone(),
    };

    private static JsonNode Resolve(JsonNode root, string pointer)
    {
        var node = root;
        foreach (var segment in pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node is JsonArray array ? array[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)]! : node[name]!;
        }

        return node;
    }
}
