using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamFlow.Core.Backups;

/// <summary>
/// Backup ids read as when they were taken and sort in time order: <c>20261126T023000Z-3f2a9c1e</c>.
/// The random part comes from the caller (an orchestration's deterministic <c>NewGuid</c>), so a replay names the same backup.
/// </summary>
public static partial class BackupId
{
    private const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string Create(DateTimeOffset takenAt, Guid random) =>
        $"{takenAt.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture)}-{random.ToString("N")[..8]}";

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    public static void Validate(string value)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException($"'{value}' is not a backup id (expected e.g. 20261126T023000Z-3f2a9c1e).", nameof(value));
        }
    }

    /// <summary>The time encoded in the id.</summary>
    public static DateTimeOffset TakenAt(string value)
    {
        Validate(value);
        return DateTimeOffset.ParseExact(value[..16], TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    [GeneratedRegex("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
