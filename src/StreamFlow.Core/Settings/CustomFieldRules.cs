using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Settings;

/// <summary>
/// What a custom field accepts, and the JSON Schema of a record's <c>attributes</c> it adds up to. Values: text a string,
/// number a number, money a decimal string or number with at most two decimals, date <c>YYYY-MM-DD</c>, choice one of
/// its options, multiChoice a list of its options, boolean true or false. Attributes no field defines stay free.
/// </summary>
public static class CustomFieldRules
{
    public static readonly string[] Types = ["text", "number", "money", "date", "choice", "multiChoice", "boolean"];

    /// <summary>
    /// Checks <paramref name="attributes"/> against the definitions into <paramref name="errors"/> as
    /// <c>attributes.&lt;key&gt;</c>. <paramref name="complete"/>: the attributes are the whole record (a create, an
    /// import row), so a required field that is absent is an error; otherwise only the ones given are checked.
    /// </summary>
    public static void Check(IReadOnlyList<CustomField> fields, IReadOnlyDictionary<string, JsonElement>? attributes, bool complete, ValidationErrors errors)
    {
        foreach (var field in fields)
        {
            var present = attributes is not null && attributes.TryGetValue(field.Key, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
            var given = attributes?.ContainsKey(field.Key) ?? false;
            if (!present)
            {
                if (field.Required && (complete || given))
                {
                    errors.Add($"attributes.{field.Key}", $"is required ({field.Label}).");
                }

                continue;
            }

            if (Problem(field, attributes![field.Key]) is { } problem)
            {
                errors.Add($"attributes.{field.Key}", problem);
            }
        }
    }

    /// <summary>Why <paramref name="value"/> does not fit <paramref name="field"/>, or null when it does.</summary>
    public static string? Problem(CustomField field, JsonElement value) => field.Type switch
    {
        "text" => value.ValueKind == JsonValueKind.String ? null : "must be text.",
        "number" => value.ValueKind == JsonValueKind.Number ? null : "must be a number.",
        "money" => IsMoney(value) ? null : "must be an amount with at most two decimals (\"1250.00\" or 1250).",
        "date" => value.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? null : "must be a date, YYYY-MM-DD.",
        "choice" => value.ValueKind == JsonValueKind.String && field.Options.Contains(value.GetString()) ? null : $"must be one of {string.Join(", ", field.Options)}.",
        "multiChoice" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String && field.Options.Contains(v.GetString()))
            ? null : $"must be a list of {string.Join(", ", field.Options)}.",
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false.",
        _ => null,
    };

    /// <summary>The JSON Schema (2020-12) of a record's <c>attributes</c> with these fields.</summary>
    public static JsonObject Schema(string entity, IReadOnlyList<CustomField> fields)
    {
        var properties = new JsonObject();
        foreach (var field in fields)
        {
            var property = field.Type switch
            {
                "number" => new JsonObject { ["type"] = "number" },
                "money" => new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "string", ["pattern"] = @"^-?\d+(\.\d{1,2})?$" }, new JsonObject { ["type"] = "number", ["multipleOf"] = 0.01 }) },
                "date" => new JsonObject { ["type"] = "string", ["format"] = "date" },
                "choice" => new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. field.Options.Select(o => JsonValue.Create(o))]) },
                "multiChoice" => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. field.Options.Select(o => JsonValue.Create(o))]) }, ["uniqueItems"] = true },
                "boolean" => new JsonObject { ["type"] = "boolean" },
                _ => new JsonObject { ["type"] = "string" },
            };
            property["title"] = field.Label;
            properties[field.Key] = property;
        }

        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = $"The attributes of a {entity}",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. fields.Where(f => f.Required).Select(f => JsonValue.Create(f.Key))]),
            ["additionalProperties"] = true,
        };
    }

    private static bool IsMoney(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetDecimal(out var amount) && decimal.Round(amount, 2) == amount,
        JsonValueKind.String => decimal.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed)
            && decimal.Round(parsed, 2) == parsed,
        _ => false,
    };
}
