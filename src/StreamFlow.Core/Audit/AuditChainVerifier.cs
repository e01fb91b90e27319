using StreamFlow.Core.Database;

namespace StreamFlow.Core.Audit;

public sealed record AuditChainVerification(bool Valid, long Entries, long? FirstBrokenSequence, string? Reason);

/// <summary>
/// Recomputes every entry's hash and link in sequence order, then checks the end of the chain against the head row
/// and against the last head published to Blob storage, so that edits, deletions, reordering and truncation show.
/// </summary>
public sealed class AuditChainVerifier(StreamFlowDatabase database, AuditChainHeadPublisher heads)
{
    public async Task<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var published = await heads.ReadLatestAsync(cancellationToken);
        return await database.InPlatformAsync(async scope =>
        {
            await AuditStore.EnterChainScopeAsync(scope);
            long count = 0;
            var expectedSequence = 1L;
            var previousHash = new byte[32];
            byte[]? hashAtPublished = null;
            await foreach (var row in AuditStore.EntriesInOrder(scope).WithCancellation(cancellationToken))
            {
                count++;
                if (row.Sequence != expectedSequence)
                {
                    return Broken(count, expectedSequence, $"entry {expectedSequence} is missing or out of order");
                }

                if (!row.PrevHash.AsSpan().SequenceEqual(previousHash))
                {
                    return Broken(count, row.Sequence, "the link to the previous entry does not match");
                }

                var canonical = AuditCanonicalForm.Serialize(
                    row.Sequence, row.System, row.TenantId, row.Actor, row.Action, row.Target, row.Outcome, row.Ip, row.UserAgent,
                    new DateTimeOffset(DateTime.SpecifyKind(row.OccurredAt, DateTimeKind.Utc)), row.Details, row.PrevHash);
                if (!AuditCanonicalForm.Hash(canonical).AsSpan().SequenceEqual(row.Hash))
                {
                    return Broken(count, row.Sequence, "the entry's content does not match its hash");
                }

                if (published is not null && row.Sequence == published.Sequence)
                {
                    hashAtPublished = row.Hash;
                }

                previousHash = row.Hash;
                expectedSequence++;
            }

            var lastSequence = expectedSequence - 1;
            var head = await AuditStore.HeadAsync(scope);
            if (head.LastSequence != lastSequence || !head.LastHash.AsSpan().SequenceEqual(previousHash))
            {
                return Broken(count, lastSequence + 1, "the chain ends before its recorded head: entries were removed from the end");
            }

            if (published is not null && (published.Sequence > lastSequence
                || hashAtPublished is null || Convert.ToHexStringLower(hashAtPublished) != published.Hash))
            {
                return Broken(count, Math.Min(published.Sequence, lastSequence + 1), "the chain does not contain the head published to Blob storage");
            }

            return new AuditChainVerification(true, count, null, null);
        }, cancellationToken);
    }

    private static AuditChainVerification Broken(long entries, long sequence, string reason) => new(false, entries, sequence, reason);

    internal sealed record StoredRow(
        long Sequence, string System, Guid? TenantId, string Actor, string Action, string? Target, string Outcome, string? Ip,
        string? UserAgent, DateTime OccurredAt, string Details, byte[] PrevHash, byte[] Hash);
}
