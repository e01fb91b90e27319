using System.Buffers.Text;
using System.Globalization;
using System.Text;
using StreamFlow.Core.Results;

namespace StreamFlow.Core.Billing;

/// <summary>Opaque invoice list cursors: base64url of the last item's (period_start, id), the lists' sort key.</summary>
internal static class InvoiceCursor
{
    public static string Encode(DateOnly periodStart, Guid id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{periodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}_{id:N}"));

    public static Result<(DateOnly PeriodStart, Guid Id)?> Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return Result<(DateOnly, Guid)?>.Success(null);
        }

        try
        {
            var parts = cursor.Length <= 100 ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('_') : [];
            if (parts.Length == 2
                && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var periodStart)
                && Guid.TryParseExact(parts[1], "N", out var id))
            {
                return Result<(DateOnly, Guid)?>.Success((periodStart, id));
            }
        }
        catch (FormatException)
        {
        }

        return Problem.Validation("cursor", "is not a cursor this list returned.");
    }
}
