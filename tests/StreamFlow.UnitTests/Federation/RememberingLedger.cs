using System.Collections.Concurrent;
using StreamFlow.Core.Federation.Signatures;

namespace StreamFlow.UnitTests.Federation;

/// <summary>An in-memory nonce ledger for verifier rules; the PostgreSQL one is tested against the database.</summary>
internal sealed class RememberingLedger : INonceLedger
{
    private readonly ConcurrentDictionary<(string, string), DateTimeOffset> _seen = new();

    public Task<bool> TryRecordAsync(string keyId, string nonce, DateTimeOffset forgetAfter, CancellationToken cancellationToken) =>
        Task.FromResult(_seen.TryAdd((keyId, nonce), forgetAfter));
}
