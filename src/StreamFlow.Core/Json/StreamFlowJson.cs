using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamFlow.Core.Json;

/// <summary>The one JSON shape of the API: camelCase, enums as camelCase strings, nulls written, numbers only as JSON numbers.</summary>
public static class StreamFlowJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            // The web defaults also read "42" as 42; strict, the API and its OpenAPI schemas say "integer" and mean it.
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
