using System.Globalization;
using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.ChangeFeed;

/// <summary>The SQL of the change feed: the hub's cross-tenant reads and a subscriber's own tenant's backlog.</summary>
internal static class ChangeFeedStore
{
    private const string AfterSql = """
        SELECT feed_tenant_id AS TenantId, feed_xid::text AS Xid, feed_seq AS Seq, feed_message_id AS MessageId,
               feed_event_type AS Type, feed_occurred_at AS OccurredAt, feed_payload::text AS PayloadJson
        FROM change_feed_after(@AfterXid::xid8, @AfterSeq, @Limit)
        """;

    private const string HeadSql = "SELECT head_xid::text AS Xid, head_seq AS Seq FROM change_feed_head()";

    private const string BacklogSql = """
        SELECT tenant_id AS TenantId, feed_xid::text AS Xid, feed_seq AS Seq, id AS MessageId, event_type AS Type,
               occurred_at AS OccurredAt, payload::text AS PayloadJson
        FROM webhook_messages
        WHERE (feed_xid, feed_seq) > (@AfterXid::xid8, @AfterSeq) AND (feed_xid, feed_seq) <= (@UpToXid::xid8, @UpToSeq)
          AND target_endpoint_id IS NULL
        ORDER BY feed_xid, feed_seq
        LIMIT @Limit
        """;

    private const string ExistsSql = """
        SELECT EXISTS (SELECT 1 FROM webhook_messages WHERE feed_xid = @Xid::xid8 AND feed_seq = @Seq)
        """;

    public static async Task<IReadOnlyList<ChangeFeedEvent>> AfterAsync(DbTransactionScope scope, ChangeFeedPosition after, int limit) =>
        [.. (await scope.Connection.QueryAsync<FeedRow>(scope.Command(AfterSql, new { AfterXid = Text(after.Xid), AfterSeq = after.Seq, Limit = limit }))).Select(row => row.ToEvent())];

    public static async Task<ChangeFeedPosition> HeadAsync(DbTransactionScope scope)
    {
        var head = await scope.Connection.QuerySingleAsync<HeadRow>(scope.Command(HeadSql));
        return new ChangeFeedPosition(ulong.Parse(head.Xid, CultureInfo.InvariantCulture), head.Seq);
    }

    /// <summary>The caller's tenant's events in (after, upTo]; row-level security keeps every other tenant out.</summary>
    public static async Task<IReadOnlyList<ChangeFeedEvent>> BacklogAsync(DbTransactionScope scope, ChangeFeedPosition after, ChangeFeedPosition upTo, int limit) =>
        [.. (await scope.Connection.QueryAsync<FeedRow>(scope.Command(BacklogSql, new
        {
            AfterXid = Text(after.Xid), AfterSeq = after.Seq, UpToXid = Text(upTo.Xid), UpToSeq = upTo.Seq, Limit = limit,
        }))).Select(row => row.ToEvent())];

    /// <summary>Whether the caller's tenant still holds the event at <paramref name="position"/> (retention may have removed it).</summary>
    public static Task<bool> ExistsAsync(DbTransactionScope scope, ChangeFeedPosition position) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(ExistsSql, new { Xid = Text(position.Xid), position.Seq }));

    private static string Text(ulong xid) => xid.ToString(CultureInfo.InvariantCulture);

    private sealed record HeadRow(string Xid, long Seq);

    private sealed record FeedRow(Guid TenantId, string Xid, long Seq, string MessageId, string Type, DateTime OccurredAt, string PayloadJson)
    {
        public ChangeFeedEvent ToEvent() => new(
            TenantId, new ChangeFeedPosition(ulong.Parse(Xid, CultureInfo.InvariantCulture), Seq), MessageId, Type,
            new DateTimeOffset(DateTime.SpecifyKind(OccurredAt, DateTimeKind.Utc)), PayloadJson);
    }
}
