using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;

namespace StreamFlow.Functions.LeadSources;

/// <summary>
/// Reads a web form's fields: <c>application/x-www-form-urlencoded</c> (what an HTML form posts, with no CORS
/// preflight) or a flat JSON object of strings, numbers and booleans, within <see cref="MaxBytes"/>.
/// </summary>
public static class FormFields
{
    public const int MaxBytes = 16 * 1024;

    public static async Task<Result<IReadOnlyDictionary<string, string>>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var json = request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
        if (!json && !request.HasFormContentType || request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true)
        {
            return new Problem(ProblemKind.UnsupportedMediaType, "Send the form as application/x-www-form-urlencoded or application/json.");
        }

        if (request.ContentLength > MaxBytes || await ReadLimitedAsync(request.Body, cancellationToken) is not { } body)
        {
            return new Problem(ProblemKind.PayloadTooLarge, $"A form submission is at most {MaxBytes / 1024} KB.");
        }

        return json ? FromJson(body) : FromUrlEncoded(body);
    }

    private static Result<IReadOnlyDictionary<string, string>> FromUrlEncoded(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var fields = QueryHelpers.ParseQuery(text.StartsWith('?') ? text : "?" + text).ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            if (InputRules.Refusal(value) is { } refusal)
            {
                return Problem.Validation(name, refusal);
            }
        }

        return fields;
    }

    private static Result<IReadOnlyDictionary<string, string>> FromJson(byte[] body)
    {
        try
        {
            // Parsed first: InputRules.Check reads only JSON that is known to be well formed.
            using var document = JsonDocument.Parse(body);
            if (InputRules.Check(body) is { } refused)
            {
                return refused;
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problem.Validation("$", "The form must be a JSON object of field names and values.");
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        fields[property.Name] = property.Value.GetString()!;
                        break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        fields[property.Name] = property.Value.GetRawText();
                        break;
                    case JsonValueKind.Null:
                        break;
                    default:
                        return Problem.Validation(property.Name, "must be a string, number or boolean.");
                }
            }

            return fields;
        }
        catch (JsonException)
        {
            return Problem.Validation("$", "The body is not valid JSON.");
        }
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
