using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace StreamFlow.Tests.Shared;

/// <summary>
/// Validates webhook event data against the published JSON Schemas of the event catalog, as a receiver would
/// (formats such as uuid and date-time checked too). Linked into the unit and end-to-end tests.
/// </summary>
internal sealed class WebhookEventContract
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly Dictionary<string, JsonSchema> _schemas;

    /// <param name="schemas">Event type name → the JSON text of its data schema.</param>
    public WebhookEventContract(IEnumerable<(string EventType, string SchemaJson)> schemas)
    {
        // Built without the global registry: each schema has an $id, and two contracts in one process must not collide.
        _schemas = schemas.ToDictionary(s => s.EventType, s => JsonSerializer.Deserialize<JsonSchema>(s.SchemaJson)!, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> EventTypes => _schemas.Keys;

    /// <summary>What is wrong with <paramref name="dataJson"/> as the data of an <paramref name="eventType"/> event; empty when it conforms.</summary>
    public IReadOnlyList<string> Violations(string eventType, string dataJson)
    {
        if (!_schemas.TryGetValue(eventType, out var schema))
        {
            return [$"'{eventType}' has no published schema."];
        }

        var results = schema.Evaluate(JsonNode.Parse(dataJson), Options);
        return results.IsValid
            ? []
            : [.. (results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
                .DefaultIfEmpty($"{eventType}: does not match its schema.")];
    }

    /// <summary>One line per non-conforming event, naming it: empty when every event conforms.</summary>
    public IReadOnlyList<string> Check(IEnumerable<(string Id, string EventType, string DataJson)> events) =>
        [.. events.SelectMany(e => Violations(e.EventType, e.DataJson).Select(v => $"{e.EventType} {e.Id}: {v}"))];
}
