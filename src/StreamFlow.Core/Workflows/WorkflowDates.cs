using System.Globalization;
using System.Text.Json;
using StreamFlow.Core.Settings;

namespace StreamFlow.Core.Workflows;

/// <summary>
/// A wait until a date of the record or of the event, moved by whole days: <c>field</c> (<c>lead.attributes.&lt;date
/// custom field&gt;</c>, <c>lead.createdAt</c>, <c>lead.updatedAt</c> or a date-time of the trigger's event), <c>days</c>
/// (negative: before it, positive: after it) and <c>at</c>, the local time of day (<c>HH:mm</c>) in the business's zone.
/// A date (<c>2027-05-01</c>) is taken at <c>at</c>, 09:00 when omitted; a date-time keeps its local time of day unless
/// <c>at</c> is given. Days are calendar days in the business's zone, so a wait across a daylight-saving change still
/// wakes at the same local time.
/// </summary>
public sealed record WaitUntilDate(string? Field, int? Days, string? At);

/// <summary>Resolves a <see cref="WaitUntilDate"/> against the event and the record as they are now.</summary>
internal static class WorkflowDates
{
    public const int MaxDays = 3660;

    private static readonly TimeOnly DefaultAt = new(9, 0);

    /// <summary>The due instant, or null when the field is empty or holds no date.</summary>
    public static DateTimeOffset? Due(WaitUntilDate wait, ConditionContext context)
    {
        if (wait.Field is null || WorkflowConditionEvaluator.Resolve(wait.Field, context) is not { ValueKind: JsonValueKind.String } value)
        {
            return null;
        }

        var text = value.GetString()!;
        var zone = context.Calendar.Zone;
        var days = wait.Days ?? 0;
        TimeOnly? at = wait.At is { } given && BusinessCalendar.TryParse(given, out var time) ? time : null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return BusinessCalendar.ToInstant(zone, date.AddDays(days), at ?? DefaultAt);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
            return BusinessCalendar.ToInstant(zone, DateOnly.FromDateTime(local).AddDays(days), at ?? TimeOnly.FromDateTime(local));
        }

        return null;
    }

    /// <summary>How the dry run and the run log say it: "lead.attributes.quoteExpiresOn - 2 days at 09:00".</summary>
    public static string Describe(WaitUntilDate wait) =>
        $"{wait.Field}{(wait.Days is { } days and not 0 ? $" {(days < 0 ? "-" : "+")} {Math.Abs(days)} day{(Math.Abs(days) == 1 ? "" : "s")}" : "")}{(wait.At is { } at ? $" at {at}" : "")}";
}
