using System.Globalization;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>Reads query parameters; a malformed value is a field error, an absent one null.</summary>
internal static class QueryParameters
{
    public static string? Text(HttpRequest request, string name) =>
        request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    public static DateOnly? Date(HttpRequest request, string name, ValidationErrors errors)
    {
        if (Text(request, name) is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors.Add(name, "must be a date as YYYY-MM-DD.");
        return null;
    }

    public static Guid? Id(HttpRequest request, string name, ValidationErrors errors)
    {
        if (Text(request, name) is not { } text)
        {
            return null;
        }

        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        errors.Add(name, "must be a UUID.");
        return null;
    }

    public static bool Flag(HttpRequest request, string name, ValidationErrors errors)
    {
        switch (Text(request, name))
        {
            case null or "false":
                return false;
            case "true":
                return true;
            default:
                errors.Add(name, "must be true or false.");
                return false;
        }
    }
}
