using System.Globalization;

namespace StreamFlow.Core.ChangeFeed;

/// <summary>
/// Where an event sits in the change feed: its transaction's id and its place within that transaction. Written on
/// the wire as the SSE event id <c>{xid}-{seq}</c>, which a client sends back as <c>Last-Event-ID</c>.
/// </summary>
public readonly record struct ChangeFeedPosition(ulong Xid, long Seq) : IComparable<ChangeFeedPosition>
{
    public static ChangeFeedPosition Start { get; } = new(0, 0);

    public int CompareTo(ChangeFeedPosition other) => Xid != other.Xid ? Xid.CompareTo(other.Xid) : Seq.CompareTo(other.Seq);

    public static bool operator >(ChangeFeedPosition left, ChangeFeedPosition right) => left.CompareTo(right) > 0;

    public static bool operator <(ChangeFeedPosition left, ChangeFeedPosition right) => left.CompareTo(right) < 0;

    public static bool operator >=(ChangeFeedPosition left, ChangeFeedPosition right) => left.CompareTo(right) >= 0;

    public static bool operator <=(ChangeFeedPosition left, ChangeFeedPosition right) => left.CompareTo(right) <= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Xid}-{Seq}");

    public static bool TryParse(string? text, out ChangeFeedPosition position)
    {
        position = Start;
        var dash = text?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (text is null || text.Length > 41 || dash <= 0
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var xid)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        position = new ChangeFeedPosition(xid, seq);
        return true;
    }
}

/// <summary>A committed event as the change feed hands it to a subscriber.</summary>
public sealed record ChangeFeedEvent(Guid TenantId, ChangeFeedPosition Position, string MessageId, string Type, DateTimeOffset OccurredAt, string PayloadJson);
