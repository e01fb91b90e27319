using System.Globalization;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

public sealed record PageRequest(int Limit, string? Cursor);

/// <summary>The list convention: <c>limit</c> 1–500 (default 50) and an opaque <c>cursor</c>.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static Result<PageRequest> Read(HttpRequest request)
    {
        var limitText = request.Query["limit"].ToString();
        var limit = DefaultLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Problem.Validation("limit", $"must be a whole number from 1 to {MaxLimit}.");
        }

        var cursor = request.Query["cursor"].ToString();
        return new PageRequest(limit, cursor.Length > 0 ? cursor : null);
    }
}
