namespace StreamFlow.Core.Kernel;

/// <summary>
/// The dates StreamFlow accepts anywhere: wide enough for any business record, narrow enough that date arithmetic
/// (a week back, a month ahead, a year of periods) never leaves what .NET and PostgreSQL can represent.
/// </summary>
public static class SupportedDates
{
    public static readonly DateOnly First = new(1900, 1, 1);

    public static readonly DateOnly Last = new(2999, 12, 31);

    public static string Message { get; } = $"must be a date from {First:yyyy-MM-dd} to {Last:yyyy-MM-dd}.";

    public static bool Contains(DateOnly date) => date >= First && date <= Last;

    public static bool Contains(DateTimeOffset time) => time.Year >= First.Year && time.Year <= Last.Year;

    public static bool ContainsYear(int year) => year >= First.Year && year <= Last.Year;
}
