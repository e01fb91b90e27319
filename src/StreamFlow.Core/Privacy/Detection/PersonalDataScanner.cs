using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Privacy.Detection;

/// <summary>One finding: in which record and field, what kind, how many. Never the value.</summary>
/// <param name="RecordType">lead (its notes and attributes), lead_activity (a timeline entry's body), task, quote or visit.</param>
/// <param name="Field">notes, attributes.&lt;name&gt; (imported columns land there), body, title (a task's), message or
/// declineReason (a quote's).</param>
/// <param name="Kind">email, phone, ssn, card or address.</param>
public sealed record PersonalDataFlag(string RecordType, Guid RecordId, string Field, string Kind, int Count);

/// <summary>What the scan found on a lead, its timeline, tasks, quotes and visits; Scanned is false while any of them waits for the scan.</summary>
public sealed record LeadPersonalData(Guid LeadId, bool Scanned, IReadOnlyList<PersonalDataFlag> PersonalData);

/// <summary>
/// Flags personal data in free text with the one <see cref="PersonalDataDetector"/>: lead notes, lead attributes (the
/// columns an import brought in), timeline bodies, task titles and notes, quote messages and decline reasons, and visit
/// notes. It runs after the write, in batches (a timer), so no write path pays for it; a record is rescanned after each
/// change. Records kinds and counts, never the values.
/// </summary>
public sealed class PersonalDataScanner(StreamFlowDatabase database, TenantKeyring keyring, TimeProvider timeProvider, ILogger<PersonalDataScanner> logger)
{
    public const string LeadRecord = "lead";
    public const string ActivityRecord = "lead_activity";
    public const string TaskRecord = "task";
    public const string QuoteRecord = "quote";
    public const string VisitRecord = "visit";
    private const int BatchSize = 500;

    private sealed record FoundEntry(string Field, string Kind, int Count);

    /// <summary>The free-text records besides leads, with the names their two text fields are flagged under.</summary>
    private static readonly (string RecordType, string FirstField, string SecondField)[] TextRecords =
    [
        (TaskRecord, "title", "notes"),
        (QuoteRecord, "message", "declineReason"),
        (VisitRecord, "notes", "notes"),
    ];

    /// <summary>Every business, each on its own; one failing does not stop the others. Records scanned in all.</summary>
    public async Task<int> ScanAllAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        foreach (var tenantId in await database.InPlatformAsync(PersonalDataBackfillStore.TenantsAsync, cancellationToken))
        {
            try
            {
                scanned += await ScanTenantAsync(tenantId, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Personal-data scan of tenant {TenantId} failed", tenantId);
            }
        }

        return scanned;
    }

    /// <summary>Scans what is due in one business, one transaction per batch; the number of records scanned.</summary>
    public async Task<int> ScanTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var total = 0;
        await database.InTenantAsync(tenantId, async scope =>
        {
            await PersonalDataFlagStore.ClearOrphanFlagsAsync(scope);
            return true;
        }, cancellationToken);
        while (true)
        {
            var inBatch = await database.InTenantAsync(tenantId, scope => ScanBatchAsync(scope, tenantId, cancellationToken), cancellationToken);
            total += inBatch;
            if (inBatch == 0)
            {
                return total;
            }
        }
    }

    private string? OpenNotes(TenantKeys? keys, UnscannedLead lead)
    {
        try
        {
            // A note the start-up backfill has not sealed yet is scanned as it stands.
            return lead.NotesSealed is null ? lead.PlainNotes : keys?.Open(PersonalFields.LeadsTable, PersonalFields.Notes, lead.Id, lead.NotesSealed);
        }
        catch (PersonalDataUnavailableException exception)
        {
            // Scanned without its notes rather than retried forever; the message names the key version, never the text.
            logger.LogWarning("The notes of lead {LeadId} could not be opened for the personal-data scan: {Reason}", lead.Id, exception.Message);
            return null;
        }
    }

    public async Task<Result<LeadPersonalData>> ForLeadAsync(Guid tenantId, Guid leadId, CancellationToken cancellationToken) =>
        await database.InTenantAsync<Result<LeadPersonalData>>(tenantId, async scope =>
        {
            var scanned = await PersonalDataFlagStore.LeadScannedAsync(scope, leadId);
            if (scanned is null)
            {
                return Problem.NotFound("Lead");
            }

            var flags = (await PersonalDataFlagStore.LeadFlagsAsync(scope, leadId))
                .SelectMany(stored => JsonSerializer.Deserialize<FoundEntry[]>(stored.Found, StreamFlowJson.Options)!
                    .Select(f => new PersonalDataFlag(stored.RecordType, stored.RecordId, f.Field, f.Kind, f.Count)))
                .ToList();
            return new LeadPersonalData(leadId, scanned.Value, flags);
        }, cancellationToken);

    private async Task<int> ScanBatchAsync(DbTransactionScope scope, Guid tenantId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var leads = await PersonalDataFlagStore.DueLeadsAsync(scope, BatchSize);
        var keys = leads.Any(lead => lead.NotesSealed is not null) ? await keyring.ForTenantAsync(tenantId, cancellationToken) : null;
        foreach (var lead in leads)
        {
            var found = Scan("notes", OpenNotes(keys, lead)).Concat(ScanAttributes(lead.Attributes)).ToList();
            await RecordAsync(scope, tenantId, LeadRecord, lead.Id, lead.Id, found, now);
            await PersonalDataFlagStore.MarkLeadAsync(scope, lead.Id, lead.UpdatedAt);
        }

        var activities = await PersonalDataFlagStore.DueActivitiesAsync(scope, BatchSize);
        foreach (var activity in activities)
        {
            await RecordAsync(scope, tenantId, ActivityRecord, activity.Id, activity.LeadId, Scan("body", activity.Body).ToList(), now);
        }

        if (activities.Count > 0)
        {
            await PersonalDataFlagStore.MarkActivitiesAsync(scope, activities.Select(a => a.Id).ToArray(), now);
        }

        var texts = 0;
        foreach (var (recordType, firstField, secondField) in TextRecords)
        {
            var due = await PersonalDataFlagStore.DueTextsAsync(scope, recordType, BatchSize);
            foreach (var record in due)
            {
                var found = Scan(firstField, record.First).Concat(Scan(secondField, record.Second)).ToList();
                await RecordAsync(scope, tenantId, recordType, record.Id, record.LeadId, found, now);
            }

            if (due.Count > 0)
            {
                await PersonalDataFlagStore.MarkTextsAsync(scope, recordType, due);
            }

            texts += due.Count;
        }

        return leads.Count + activities.Count + texts;
    }

    private static Task RecordAsync(
        DbTransactionScope scope, Guid tenantId, string recordType, Guid recordId, Guid? leadId, List<FoundEntry> found, DateTimeOffset now) =>
        found.Count == 0
            ? PersonalDataFlagStore.ClearFlagsAsync(scope, recordType, recordId)
            : PersonalDataFlagStore.UpsertFlagsAsync(scope, tenantId, recordType, recordId, leadId, JsonSerializer.Serialize(found, StreamFlowJson.Options), now);

    private static IEnumerable<FoundEntry> Scan(string field, string? text) =>
        PersonalDataDetector.Scan(text).Found.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new FoundEntry(field, f.Key, f.Value));

    /// <summary>Every string in the attributes, under the attribute's name (nested values under their top-level name).</summary>
    private static IEnumerable<FoundEntry> ScanAttributes(string attributes)
    {
        using var document = JsonDocument.Parse(attributes);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var found = new List<FoundEntry>();
        foreach (var attribute in document.RootElement.EnumerateObject())
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var text in Strings(attribute.Value))
            {
                foreach (var (kind, count) in PersonalDataDetector.Scan(text).Found)
                {
                    counts[kind] = counts.GetValueOrDefault(kind) + count;
                }
            }

            found.AddRange(counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new FoundEntry("attributes." + attribute.Name, c.Key, c.Value)));
        }

        return found;
    }

    private static IEnumerable<string> Strings(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array => value.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => value.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };
}
