using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>
/// What every value that enters through HTTP must satisfy before a function sees it, whatever the route: no NUL or
/// other C0 control character except tab, CR and LF (PostgreSQL refuses NUL in text, and the others have no place in
/// business data), and anything written as a date (<c>YYYY-MM</c>, <c>YYYY-MM-DD</c>, ISO date-times) within
/// <see cref="SupportedDates"/>. <see cref="RequestPipeline"/> applies it to route and query values and
/// <see cref="RequestBody"/> to every JSON string and property name, so no route can forget it.
/// </summary>
public static class InputRules
{
    public const string ControlCharacterMessage = "must not contain control characters (such as NUL).";

    /// <summary>Why <paramref name="value"/> is refused, or null when it is acceptable.</summary>
    public static string? Refusal(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c < ' ' && c is not ('\t' or '\r' or '\n'))
            {
                return ControlCharacterMessage;
            }
        }

        return LooksLikeDateOutsideRange(value) ? SupportedDates.Message : null;
    }

    /// <summary>The route and query values of <paramref name="request"/>, each named in the problem.</summary>
    public static Problem? Check(HttpRequest request)
    {
        var errors = new ValidationErrors();
        foreach (var (name, value) in request.RouteValues)
        {
            if (value is string text && Refusal(text) is { } message)
            {
                errors.Add(name, message);
            }
        }

        if (errors.IsEmpty && Refusal(request.Path.Value) is ControlCharacterMessage)
        {
            errors.Add("path", ControlCharacterMessage);
        }

        foreach (var (name, values) in request.Query)
        {
            if (Refusal(name) is not null)
            {
                errors.Add("query", "parameter names " + ControlCharacterMessage);
                continue;
            }

            foreach (var value in values)
            {
                if (value is not null && Refusal(value) is { } message)
                {
                    errors.Add(name, message);
                }
            }
        }

        return errors.ToProblem();
    }

    /// <summary>Every string value and property name of a JSON document that already parsed, named by its path.</summary>
    public static Problem? Check(ReadOnlySpan<byte> json)
    {
        var errors = new ValidationErrors();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = StreamFlowJsonDepth });
        var path = new List<object>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    AdvanceArrayIndex(path);
                    path.Add(reader.TokenType == JsonTokenType.StartArray ? -1 : "");
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    path.RemoveAt(path.Count - 1);
                    break;
                case JsonTokenType.PropertyName:
                    var name = TextOf(ref reader);
                    path[^1] = name ?? "";
                    if (name is null || Refusal(name) is not null)
                    {
                        errors.Add(FieldOf(path), name is null ? InvalidUtf8Message : "property names " + ControlCharacterMessage);
                    }

                    break;
                case JsonTokenType.String:
                    AdvanceArrayIndex(path);
                    var text = TextOf(ref reader);
                    if ((text is null ? InvalidUtf8Message : Refusal(text)) is { } message)
                    {
                        errors.Add(FieldOf(path), message);
                    }

                    break;
                default:
                    AdvanceArrayIndex(path);
                    break;
            }
        }

        return errors.ToProblem();
    }

    private const string InvalidUtf8Message = "is not valid UTF-8.";

    // The serializer skips unknown members without decoding them, so a string it never bound can still be invalid UTF-8.
    private static string? TextOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The same nesting limit as <see cref="System.Text.Json.JsonSerializer"/>'s default.</summary>
    private const int StreamFlowJsonDepth = 64;

    private static void AdvanceArrayIndex(List<object> path)
    {
        if (path.Count > 0 && path[^1] is int index)
        {
            path[^1] = index + 1;
        }
    }

    private static string FieldOf(List<object> path)
    {
        var field = new StringBuilder();
        foreach (var segment in path)
        {
            switch (segment)
            {
                case int index:
                    field.Append('[').Append(index).Append(']');
                    break;
                case string { Length: > 0 } name:
                    field.Append(field.Length == 0 ? "" : ".").Append(name);
                    break;
            }
        }

        return field.Length == 0 ? "$" : field.ToString();
    }

    // YYYY-MM, YYYY-MM-DD, or YYYY-MM-DD followed by a time: anything a date parser downstream would take as a year.
    private static bool LooksLikeDateOutsideRange(ReadOnlySpan<char> value)
    {
        if (value.Length < 7 || !IsDigits(value[..4]) || value[4] != '-' || !IsDigits(value.Slice(5, 2)))
        {
            return false;
        }

        var rest = value[7..];
        if (rest.Length > 0 && !(rest.Length >= 3 && rest[0] == '-' && IsDigits(rest.Slice(1, 2)) && (rest.Length == 3 || rest[3] is 'T' or 't' or ' ')))
        {
            return false;
        }

        return !SupportedDates.ContainsYear(int.Parse(value[..4], provider: System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
