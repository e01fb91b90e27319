using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;

namespace StreamFlow.Core.LeadSources;

public enum SourceWrite
{
    Created,
    Updated,
    Unchanged,
    Skipped,
    Failed,
}

/// <summary>An external record as a lead: the fields to create it with, those to refresh on later sightings, its status there.</summary>
/// <param name="LostReason">When set and the lead is still open, the record's end at the source (a cancelled notice) closes it as lost.</param>
/// <param name="Cost">What the source charged for this lead (a lead price), counted in attribution.</param>
/// <param name="Won">When set and the lead is still open, the record's sale at the source (a completed job) closes it as won at this amount.</param>
public sealed record SourceRecord(string ExternalId, LeadInput Create, LeadInput Refresh, string? Status, string? LostReason, Money? Cost = null, Money? Won = null);

/// <summary>One external record a lead stands for.</summary>
public sealed record LeadSourceRecordView(
    string Source, string ExternalId, string? Status, Guid? ConnectionId, Money? Cost, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt);

/// <summary>Where a lead came from: its own source field, the external records it stands for, and the documents they attached.</summary>
public sealed record LeadSourcesView(Guid LeadId, string? Source, IReadOnlyList<LeadSourceRecordView> Records, IReadOnlyList<SourceAttachmentView> Attachments);

/// <summary>What became of one record, and its lead.</summary>
public sealed record SourceWriteOutcome(SourceWrite Write, Guid? LeadId, string? Error);

/// <summary>
/// Turns records of an external source into leads through <see cref="LeadService"/>, one lead per (source, external id)
/// for ever: a record seen again refreshes its lead instead of making another (docs/lead-sources.md, "One lead, many
/// sources"). A lead people deleted stays deleted. Records are matched by their id alone, not by email or phone, because
/// a source's contact fields (a contracting officer) are shared by many of its records.
/// </summary>
public sealed class SourceLeadWriter(StreamFlowDatabase database, LeadService leads, TimeProvider time)
{
    public async Task<IReadOnlyDictionary<string, Guid>> KnownAsync(Guid tenantId, string source, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(tenantId, scope => LeadSourceLinkStore.FindManyAsync(scope, source, [.. externalIds]), cancellationToken))
            .ToDictionary(pair => pair.Key, pair => pair.Value.LeadId, StringComparer.Ordinal);

    /// <param name="mergeByContact">
    /// A new record whose email or phone is a live lead's is merged into that lead and linked to it, as a web-form visitor
    /// is: for sources whose contact is the person the lead is about (a Local Services consumer), not a shared officer.
    /// </param>
    public async Task<SourceWriteOutcome> WriteAsync(
        Guid tenantId, string source, Guid? connectionId, SourceRecord record, Guid? knownLeadId, CancellationToken cancellationToken, bool mergeByContact = false)
    {
        ArgumentNullException.ThrowIfNull(record);
        var actor = Actor(tenantId, source, connectionId);
        if (knownLeadId is { } leadId)
        {
            return await RefreshAsync(actor, source, record, leadId, cancellationToken);
        }

        var created = await leads.CreateAsync(actor, record.Create, mergeDuplicate: mergeByContact, cancellationToken);
        if (!created.Succeeded)
        {
            return new SourceWriteOutcome(SourceWrite.Failed, null, created.Problem.Detail + Errors(created.Problem));
        }

        var lead = created.Value.Lead;
        var linked = await database.InTenantAsync(tenantId, scope =>
            LeadSourceLinkStore.InsertAsync(scope, tenantId, source, record.ExternalId, lead.Id, connectionId, record.Status, record.Cost, time.GetUtcNow()), cancellationToken);
        var write = created.Value.Created ? SourceWrite.Created : SourceWrite.Updated;
        if (linked)
        {
            return Closing(record, null) is null
                ? new SourceWriteOutcome(write, lead.Id, null)
                : await RefreshAsync(actor, source, record, lead.Id, cancellationToken) with { Write = write };
        }

        // Another connection of the tenant stored the same record meanwhile: keep its lead, withdraw ours (never a lead we merged into).
        if (created.Value.Created)
        {
            await leads.DeleteAsync(actor, lead.Id, cancellationToken);
        }

        var winner = await database.InTenantAsync(tenantId, scope => LeadSourceLinkStore.FindAsync(scope, source, record.ExternalId), cancellationToken);
        return await RefreshAsync(actor, source, record, winner!.LeadId, cancellationToken);
    }

    /// <summary>
    /// Records not seen before (none of them linked yet), written at once: their leads created in one transaction through
    /// <see cref="LeadService.CreateManyAsync(LeadActor, IReadOnlyList{LeadCreate}, Func{DbTransactionScope, IReadOnlyList{ValueTuple{int, Lead}}, Task}?, CancellationToken)"/>
    /// (each validated, scored and announced as one create would be; one ended or sold at the source created closed, lost
    /// or won), linked in the same transaction. What <see cref="WriteAsync"/> does for one, for a page: a record another
    /// writer linked first refreshes that lead instead (ours withdrawn), and a batch that lost a race for an email, phone
    /// or external id is written one record at a time.
    /// </summary>
    public async Task<IReadOnlyList<SourceWriteOutcome>> WriteNewAsync(
        Guid tenantId, string source, Guid? connectionId, IReadOnlyList<SourceRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var actor = Actor(tenantId, source, connectionId);
        IReadOnlySet<string> linked = new HashSet<string>();
        var batch = await leads.CreateManyAsync(actor, records.Select(r => new LeadCreate(r.Create, Closing(r, null))).ToList(), async (scope, created) =>
            linked = await LeadSourceLinkStore.InsertManyAsync(scope, tenantId, source, connectionId,
                created.Select(c => (records[c.Index].ExternalId, c.Lead.Id, records[c.Index].Status, records[c.Index].Cost)).ToList(), time.GetUtcNow()),
            cancellationToken);
        if (!batch.Succeeded)
        {
            var one = new SourceWriteOutcome[records.Count];
            for (var i = 0; i < records.Count; i++)
            {
                one[i] = await WriteAsync(tenantId, source, connectionId, records[i], null, cancellationToken);
            }

            return one;
        }

        var outcomes = new SourceWriteOutcome[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var result = batch.Value[i];
            if (!result.Succeeded)
            {
                outcomes[i] = new SourceWriteOutcome(SourceWrite.Failed, null, result.Problem.Detail + Errors(result.Problem));
            }
            else if (linked.Contains(record.ExternalId))
            {
                outcomes[i] = new SourceWriteOutcome(SourceWrite.Created, result.Value.Id, null);
            }
            else
            {
                // Another connection of the tenant stored the same record meanwhile: keep its lead, withdraw ours.
                await leads.DeleteAsync(actor, result.Value.Id, cancellationToken);
                var winner = await database.InTenantAsync(tenantId, scope => LeadSourceLinkStore.FindAsync(scope, source, record.ExternalId), cancellationToken);
                outcomes[i] = await RefreshAsync(actor, source, record, winner!.LeadId, cancellationToken);
            }
        }

        return outcomes;
    }

    /// <summary>
    /// Records already linked to leads, refreshed at once: what <see cref="WriteAsync"/> does for a known record, for a
    /// page. The leads are read together; those a refresh would not change are left alone (no write, no event); the others
    /// change in one transaction through <see cref="LeadService.UpdateManyAsync"/> (a record ended or sold at the source
    /// closes its open lead) and their links are touched in one statement. A batch refused as a whole (a change would take
    /// another lead's email or phone) is refreshed one record at a time, so that only the offending record fails.
    /// </summary>
    public async Task<IReadOnlyList<SourceWriteOutcome>> RefreshManyAsync(
        Guid tenantId, string source, Guid? connectionId, IReadOnlyList<(SourceRecord Record, Guid LeadId)> known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        var actor = Actor(tenantId, source, connectionId);
        var current = await leads.GetManyAsync(tenantId, known.Select(k => k.LeadId).Distinct().ToArray(), cancellationToken);
        var outcomes = new SourceWriteOutcome[known.Count];
        var changes = new List<int>();
        for (var i = 0; i < known.Count; i++)
        {
            var (record, leadId) = known[i];
            if (!current.TryGetValue(leadId, out var lead))
            {
                outcomes[i] = new SourceWriteOutcome(SourceWrite.Skipped, leadId, "The lead was deleted in StreamFlow.");
            }
            else if (Closing(record, lead) is null && AlreadyHolds(lead, record.Refresh))
            {
                outcomes[i] = new SourceWriteOutcome(SourceWrite.Unchanged, leadId, null);
            }
            else
            {
                changes.Add(i);
            }
        }

        if (changes.Count == 0)
        {
            return outcomes;
        }

        var batch = await leads.UpdateManyAsync(actor, changes.Select(i => (known[i].LeadId, new LeadUpdate(known[i].Record.Refresh, Closing(known[i].Record, current[known[i].LeadId])))).ToList(),
            cancellationToken);
        if (!batch.Succeeded)
        {
            foreach (var i in changes)
            {
                outcomes[i] = await RefreshAsync(actor, source, known[i].Record, known[i].LeadId, cancellationToken);
            }

            return outcomes;
        }

        var touched = new List<SourceRecord>();
        for (var c = 0; c < changes.Count; c++)
        {
            var (i, result) = (changes[c], batch.Value[c]);
            outcomes[i] = result.Succeeded
                ? new SourceWriteOutcome(SourceWrite.Updated, known[i].LeadId, null)
                : new SourceWriteOutcome(SourceWrite.Failed, known[i].LeadId, result.Problem.Detail + Errors(result.Problem));
            if (result.Succeeded)
            {
                touched.Add(known[i].Record);
            }
        }

        if (touched.Count > 0)
        {
            await database.InTenantAsync(tenantId, async scope =>
            {
                await LeadSourceLinkStore.TouchManyAsync(scope, source, touched.Select(r => (r.ExternalId, r.Status, r.Cost)).ToList(), time.GetUtcNow());
                return true;
            }, cancellationToken);
        }

        return outcomes;
    }

    public async Task<Result<LeadSourcesView>> SourcesOfAsync(Guid tenantId, Guid leadId, CancellationToken cancellationToken)
    {
        var lead = await leads.GetAsync(tenantId, leadId, includeDeleted: false, cancellationToken);
        if (!lead.Succeeded)
        {
            return lead.Problem;
        }

        var (links, attachments) = await database.InTenantAsync(tenantId, async scope =>
            (await LeadSourceLinkStore.ForLeadAsync(scope, leadId), await SourceAttachmentStore.ForLeadAsync(scope, leadId)), cancellationToken);
        return new LeadSourcesView(leadId, lead.Value.Source,
            links.Select(l => new LeadSourceRecordView(l.Source, l.ExternalId, l.Status, l.ConnectionId,
                l.CostAmount is { } amount ? Money.Of(amount, l.CostCurrency!) : null, l.FirstSeenAt, l.LastSeenAt)).ToList(),
            attachments.Select(a => new SourceAttachmentView(a.Source, a.Url, a.Status, a.Reason, a.FileName, a.RfpId)).ToList());
    }

    private async Task<SourceWriteOutcome> RefreshAsync(LeadActor actor, string source, SourceRecord record, Guid leadId, CancellationToken cancellationToken)
    {
        var current = await leads.GetAsync(actor.TenantId, leadId, includeDeleted: false, cancellationToken);
        if (!current.Succeeded)
        {
            return new SourceWriteOutcome(SourceWrite.Skipped, leadId, "The lead was deleted in StreamFlow.");
        }

        var close = Closing(record, current.Value);
        if (close is null && AlreadyHolds(current.Value, record.Refresh))
        {
            return new SourceWriteOutcome(SourceWrite.Unchanged, leadId, null);
        }

        var updated = await leads.UpdateAsync(actor, leadId, new LeadUpdate(record.Refresh, close), cancellationToken);
        if (!updated.Succeeded)
        {
            return new SourceWriteOutcome(SourceWrite.Failed, leadId, updated.Problem.Detail + Errors(updated.Problem));
        }

        await database.InTenantAsync(actor.TenantId, async scope =>
        {
            await LeadSourceLinkStore.TouchAsync(scope, source, record.ExternalId, record.Status, time.GetUtcNow(), record.Cost);
            return true;
        }, cancellationToken);
        return new SourceWriteOutcome(SourceWrite.Updated, leadId, null);
    }

    /// <summary>The outcome that closes the record's lead, when it is still open: lost when the record ended at the source, won when it sold.</summary>
    private static OutcomeInput? Closing(SourceRecord record, Lead? lead) =>
        lead?.Outcome is not null ? null
        : record.LostReason is { } reason ? new OutcomeInput("lost", null, null, reason)
        : record.Won is { } won ? new OutcomeInput("won", won.Amount, won.Currency, null)
        : null;

    private static LeadActor Actor(Guid tenantId, string source, Guid? connectionId) =>
        new(tenantId, connectionId is { } id ? $"connection:{id}" : $"source:{source}", CanAssign: false);

    /// <summary>True when a refresh would change nothing, so that a record seen again unchanged writes no event.</summary>
    private static bool AlreadyHolds(Lead lead, LeadInput refresh)
    {
        static bool Same(string? wanted, string? current) => wanted is null || string.Equals(wanted.Trim(), current, StringComparison.Ordinal);
        if (!Same(refresh.Company, lead.Company) || !Same(refresh.PostalCode, lead.PostalCode) || !Same(refresh.State, lead.State)
            || !Same(refresh.City, lead.City) || !Same(refresh.Country, lead.Country) || !Same(refresh.FirstName, lead.FirstName) || !Same(refresh.LastName, lead.LastName))
        {
            return false;
        }

        return (refresh.Attributes ?? []).All(pair =>
            lead.Attributes.ValueKind == System.Text.Json.JsonValueKind.Object && lead.Attributes.TryGetProperty(pair.Key, out var current)
                ? System.Text.Json.JsonElement.DeepEquals(current, pair.Value)
                : pair.Value.ValueKind == System.Text.Json.JsonValueKind.Null);
    }

    private static string Errors(Problem problem) =>
        problem.Errors is { Count: > 0 } errors ? " " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) : "";
}
