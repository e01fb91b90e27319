using System.Globalization;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing;

/// <summary>Opaque invoice list cursors: base64url of the last item's (period_start, id), the lists' sort key.</summary>
internal static class InvoiceCursor
{
    public static string Encode(DateOnly periodStart, Guid id) =>
        Cursor.Encode($"{periodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}_{id:N}");

    public static Result<(DateOnly PeriodStart, Guid Id)?> Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return Result<(DateOnly, Guid)?>.Success(null);
        }

        var parts = Cursor.TryDecode(cursor, 100, out var key) ? key.Split('_') : [];
        if (parts.Length == 2
            && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var periodStart)
            && Guid.TryParseExact(parts[1], "N", out var id))
        {
            return Result<(DateOnly, Guid)?>.Success((periodStart, id));
        }

        return Problem.Validation("cursor", Cursor.NotOurs);
    }
}
