using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources.WebForms;

/// <summary>Settings of the web-form intake (section <c>LeadSources:WebForms</c>).</summary>
public sealed class WebFormOptions
{
    public const string Section = "LeadSources:WebForms";

    /// <summary>
    /// How long an instance keeps a form (or the fact that a key names none) before reading it again. Deleting a form
    /// drops it at once on the instance that deleted it; other instances stop accepting its key within this time.
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Forms (and unknown keys) kept at most; past it the cache starts again empty, so random keys cannot grow it.</summary>
    public int CacheEntries { get; set; } = 10_000;

    /// <summary>Submissions of one form written in one transaction at most (group commit, <see cref="WebFormLeadBatcher"/>).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a writer waits for more submissions once it has one, unless its batch fills first.</summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(3);

    /// <summary>Batches written at once, each in its own transaction (one pooled connection each).</summary>
    public int BatchWriters { get; set; } = 4;

    /// <summary>Submissions waiting for a writer at most; past it a submission is answered 503 with Retry-After.</summary>
    public int QueueCapacity { get; set; } = 1_000;
}

/// <summary>A form as the intake uses it: its row with the field map and origins parsed once.</summary>
internal sealed record IntakeForm(WebFormRow Row, IReadOnlyDictionary<string, string> Fields, IReadOnlySet<string> Origins);

/// <summary>
/// The intake's forms by key, read once and kept briefly: a submission that finds its form here does no database work
/// before its lead is written, so the origin, rate-limit, honeypot and captcha checks cost nothing of PostgreSQL.
/// Concurrent submissions for a key not yet read share one read.
/// </summary>
public sealed class WebFormCache(StreamFlowDatabase database, IOptions<WebFormOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Entry> _forms = new(StringComparer.Ordinal);

    internal async Task<IntakeForm?> FindAsync(Guid tenantId, string formKey, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetTimestamp();
        if (!_forms.TryGetValue(formKey, out var entry) || timeProvider.GetElapsedTime(entry.ReadAt, now) > options.Value.CacheTtl)
        {
            if (_forms.Count >= options.Value.CacheEntries)
            {
                _forms.Clear();
            }

            var fresh = new Entry(now, new Lazy<Task<IntakeForm?>>(() => ReadAsync(tenantId, formKey)));
            entry = entry is not null && _forms.TryUpdate(formKey, fresh, entry) ? fresh : _forms.GetOrAdd(formKey, fresh);
        }

        try
        {
            return await entry.Form.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (entry.Form.Value.IsFaulted)
        {
            // A failed read is not kept: the next submission reads again.
            _forms.TryRemove(KeyValuePair.Create(formKey, entry));
            throw;
        }
    }

    /// <summary>Drops a deleted form on this instance at once.</summary>
    public void Forget(string formKey) => _forms.TryRemove(formKey, out _);

    private async Task<IntakeForm?> ReadAsync(Guid tenantId, string formKey)
    {
        // Not the first caller's token: the read is shared by every submission waiting for it.
        var row = await database.InTenantAsync(tenantId, scope => WebFormStore.FindByKeyAsync(scope, formKey), CancellationToken.None);
        return row is { Enabled: true } ? new IntakeForm(row, row.Fields, row.Origins.ToHashSet(StringComparer.Ordinal)) : null;
    }

    private sealed record Entry(long ReadAt, Lazy<Task<IntakeForm?>> Form);
}
