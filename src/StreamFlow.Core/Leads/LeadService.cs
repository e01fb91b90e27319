using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Leads;

public sealed record LeadActor(Guid TenantId, string Actor, bool CanAssign);

/// <summary>
/// Leads of one client business: create (refusing or merging duplicates), read, change, soft-delete and restore, list
/// with filters, notes and the activity timeline. A new lead, and every change that matters for scoring, is scored in the
/// same transaction (rules and model; the AI re-score follows through the work outbox), so answers carry the score.
/// </summary>
public sealed class LeadService(
    StreamFlowDatabase database, PipelineService pipeline, WebhookOutbox outbox, IChangedLeadScorer scorer, TenantKeyring keyring,
    ILeadAttributeRules attributeRules, TimeProvider timeProvider)
{

    public async Task<Result<(Lead Lead, bool Created)>> CreateAsync(LeadActor actor, LeadInput input, bool mergeDuplicate, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        LeadValidation.Validate(input, errors, creating: true);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        if (input.OwnerUserId is not null && !actor.CanAssign)
        {
            return Problem.Forbidden("Your role cannot assign leads to an owner.");
        }

        var email = LeadValidation.NormalizeEmail(input.Email);
        var phone = LeadValidation.NormalizePhone(input.Phone);
        var keys = await keyring.ForTenantAsync(actor.TenantId, cancellationToken);
        try
        {
            // Batched: writes and independent reads travel together. Session aside, a create is three round trips: the
            // checks' reads; the insert (returning the row) with its history and the scoring context; then the score,
            // the events and COMMIT's predecessor in one, and COMMIT.
            return await database.InTenantBatchedAsync(actor.TenantId, async scope =>
            {
                var stagesRead = pipeline.StagesLaterAsync(scope, actor.TenantId);
                var ownerRead = input.OwnerUserId is { } owner ? LeadStore.IsActiveUserLaterAsync(scope, owner) : Task.FromResult(true);
                var rulesRead = attributeRules.RulesLaterAsync(scope);
                var duplicateRead = LeadStore.FindDuplicateLaterAsync(scope, keys, email, phone);
                await scope.FlushAsync();
                var stages = await stagesRead;
                var stage = input.Stage?.Trim() ?? stages.First(s => s.Kind == StageKind.Open).Key;
                if (stages.All(s => s.Key != stage))
                {
                    return (Result<(Lead, bool)>)UnknownStage(stage, stages);
                }

                if (!await ownerRead)
                {
                    return new Problem(ProblemKind.Unprocessable, "The owner is not an active user of this business.");
                }

                var attributeErrors = new ValidationErrors();
                (await rulesRead)?.Invoke(input.Attributes, true, attributeErrors);
                if (attributeErrors.ToProblem() is { } badAttributes)
                {
                    return badAttributes;
                }

                if (await duplicateRead is { } existingId)
                {
                    return mergeDuplicate
                        ? await MergeAsync(scope, keys, actor, existingId, input)
                        : Duplicate(existingId);
                }

                var now = timeProvider.GetUtcNow();
                var inserted = InsertNewLaterAsync(scope, keys, actor, input, email, phone, stage, now);
                var created = await scorer.ScoreNewInTransactionAsync(scope, actor.TenantId, inserted, needsRouting: input.OwnerUserId is null);
                await outbox.AddAsync(scope, actor.TenantId, "lead.created", created, scope.CancellationToken);
                return (created, true);
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // A concurrent create won the race for the same email, phone or external id.
            var existing = await database.InTenantAsync(actor.TenantId, scope => LeadStore.FindDuplicateAsync(scope, keys, email, phone), cancellationToken);
            return existing is { } id ? Duplicate(id) : Problem.Conflict("A lead with this external id already exists.");
        }
    }

    /// <summary>
    /// Creates many leads in one transaction, each as <see cref="CreateAsync"/> creates one (validated alone, its stage
    /// history, its "created" activity, scored in the transaction, one <c>lead.created</c> event each), with the scoring
    /// of them all done at once: the write path of a sync page. Duplicates are refused, never merged: an input whose email
    /// or phone is a live lead's, or an earlier input's, gets the duplicate problem and the others are created.
    /// <paramref name="alsoInTransaction"/> runs in the same transaction with the leads created (input index and lead),
    /// so that what links them (a source's external id) commits with them or not at all.
    /// </summary>
    /// <returns>One result per input, in order; a conflict when a concurrent writer took an email, phone or external id
    /// meanwhile (nothing was created: create them one at a time).</returns>
    public Task<Result<IReadOnlyList<Result<Lead>>>> CreateManyAsync(
        LeadActor actor, IReadOnlyList<LeadInput> inputs, Func<DbTransactionScope, IReadOnlyList<(int Index, Lead Lead)>, Task>? alsoInTransaction,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return CreateManyAsync(actor, inputs.Select(input => new LeadCreate(input)).ToList(), alsoInTransaction, cancellationToken);
    }

    /// <summary>
    /// <see cref="CreateManyAsync(LeadActor, IReadOnlyList{LeadInput}, Func{DbTransactionScope, IReadOnlyList{ValueTuple{int, Lead}}, Task}?, CancellationToken)"/>
    /// where an input may come closed: a lead with an outcome is created in its won or lost stage, with the history,
    /// activities and events a create followed by <see cref="UpdateAsync"/> with that outcome leaves (stage history from
    /// nothing to the first stage and on to the closed one; "created", "stage_changed" and "won" or "lost" activities;
    /// <c>lead.created</c> as it was created, then <c>lead.updated</c> and <c>lead.converted</c> or <c>lead.lost</c>),
    /// scored once, closed. Rows, history and activities are written set-based: one statement each for the whole batch.
    /// </summary>
    public async Task<Result<IReadOnlyList<Result<Lead>>>> CreateManyAsync(
        LeadActor actor, IReadOnlyList<LeadCreate> creates, Func<DbTransactionScope, IReadOnlyList<(int Index, Lead Lead)>, Task>? alsoInTransaction,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(creates);
        var results = new Result<Lead>?[creates.Count];
        for (var i = 0; i < creates.Count; i++)
        {
            var errors = new ValidationErrors();
            LeadValidation.Validate(creates[i].Fields, errors, creating: true);
            ReadOutcome(creates[i].Outcome, errors);
            if (errors.ToProblem() is { } invalid)
            {
                results[i] = invalid;
            }
            else if (creates[i].Fields.OwnerUserId is not null && !actor.CanAssign)
            {
                results[i] = Problem.Forbidden("Your role cannot assign leads to an owner.");
            }
        }

        var keys = await keyring.ForTenantAsync(actor.TenantId, cancellationToken);
        var contacts = creates.Select(c => (Email: LeadValidation.NormalizeEmail(c.Fields.Email), Phone: LeadValidation.NormalizePhone(c.Fields.Phone))).ToArray();
        try
        {
            return await database.InTenantBatchedAsync(actor.TenantId, async scope =>
            {
                // The checks of the whole batch in one round trip: stages, rules, owners and duplicates.
                var stagesRead = pipeline.StagesLaterAsync(scope, actor.TenantId);
                var rulesRead = attributeRules.RulesLaterAsync(scope);
                var owners = creates.Where((c, i) => results[i] is null && c.Fields.OwnerUserId is not null).Select(c => c.Fields.OwnerUserId!.Value).Distinct().ToArray();
                var activeRead = owners.Length == 0 ? Task.FromResult<IReadOnlySet<Guid>>(new HashSet<Guid>()) : LeadStore.ActiveUsersLaterAsync(scope, owners);
                var emailIndexes = contacts.Where((_, i) => results[i] is null).Select(c => LeadStore.EmailIndex(keys, c.Email)).OfType<byte[]>().ToArray();
                var phoneIndexes = contacts.Where((_, i) => results[i] is null).Select(c => LeadStore.PhoneIndex(keys, c.Phone)).OfType<byte[]>().ToArray();
                var duplicatesRead = emailIndexes.Length + phoneIndexes.Length == 0
                    ? Task.FromResult<IReadOnlyList<(Guid Id, byte[]? EmailIndex, byte[]? PhoneIndex)>>([])
                    : LeadStore.FindDuplicatesLaterAsync(scope, emailIndexes, phoneIndexes);
                await scope.FlushAsync();
                var stages = await stagesRead;
                var rules = await rulesRead;
                var active = await activeRead;
                var existing = await duplicatesRead;
                var liveEmails = existing.Where(d => d.EmailIndex is not null).GroupBy(d => Convert.ToHexString(d.EmailIndex!)).ToDictionary(g => g.Key, g => g.First().Id);
                var livePhones = existing.Where(d => d.PhoneIndex is not null).GroupBy(d => Convert.ToHexString(d.PhoneIndex!)).ToDictionary(g => g.Key, g => g.First().Id);
                var now = timeProvider.GetUtcNow();
                var emails = new Dictionary<string, Guid>(StringComparer.Ordinal);
                var phones = new Dictionary<string, Guid>(StringComparer.Ordinal);
                var created = new List<(int Index, StoredLead Lead, string FirstStage)>();
                for (var i = 0; i < creates.Count; i++)
                {
                    if (results[i] is not null)
                    {
                        continue;
                    }

                    var (input, outcome) = (creates[i].Fields, creates[i].Outcome);
                    var (email, phone) = contacts[i];
                    var stage = input.Stage?.Trim() ?? stages.First(s => s.Kind == StageKind.Open).Key;
                    var attributeErrors = new ValidationErrors();
                    rules?.Invoke(input.Attributes, true, attributeErrors);
                    if (stages.All(s => s.Key != stage))
                    {
                        results[i] = UnknownStage(stage, stages);
                    }
                    else if (input.OwnerUserId is { } owner && !active.Contains(owner))
                    {
                        results[i] = new Problem(ProblemKind.Unprocessable, "The owner is not an active user of this business.");
                    }
                    else if (attributeErrors.ToProblem() is { } badAttributes)
                    {
                        results[i] = badAttributes;
                    }
                    else if ((email is not null && emails.TryGetValue(email, out var earlier)) || (phone is not null && phones.TryGetValue(phone, out earlier)))
                    {
                        results[i] = Duplicate(earlier);
                    }
                    else if ((LiveDuplicate(LeadStore.EmailIndex(keys, email), liveEmails) ?? LiveDuplicate(LeadStore.PhoneIndex(keys, phone), livePhones)) is { } existingId)
                    {
                        results[i] = Duplicate(existingId);
                    }
                    else
                    {
                        var lead = NewLead(input, email, phone, stage);
                        if (outcome is not null)
                        {
                            lead = Closed(lead, outcome, stages.First(s => s.Kind == (outcome.Status == "won" ? StageKind.Won : StageKind.Lost)).Key, now);
                        }

                        created.Add((i, lead, stage));
                        if (email is not null)
                        {
                            emails[email] = lead.Id;
                        }

                        if (phone is not null)
                        {
                            phones[phone] = lead.Id;
                        }
                    }
                }

                if (created.Count > 0)
                {
                    await InsertManyAsync(scope, actor, keys, created, now);
                }

                var ids = created.Select(c => c.Lead.Id).ToArray();
                await scorer.ScoreManyInTransactionAsync(scope, actor.TenantId, ids);
                var stored = ids.Length == 0 ? new Dictionary<Guid, StoredLead>() : await LeadStore.FindManyAsync(scope, ids);
                var leads = new List<(int Index, Lead Lead)>(created.Count);
                var events = new List<(string EventType, object Data)>(created.Count);
                foreach (var (index, written, firstStage) in created)
                {
                    var lead = stored[written.Id].ToLead(keys);
                    events.AddRange(CreatedEvents(lead, firstStage));
                    leads.Add((index, lead));
                    results[index] = lead;
                }

                await outbox.AddManyAsync(scope, actor.TenantId, events, scope.CancellationToken);

                if (alsoInTransaction is not null && leads.Count > 0)
                {
                    await alsoInTransaction(scope, leads);
                }

                return (Result<IReadOnlyList<Result<Lead>>>)results.Select(r => r!.Value).ToList();
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict("Another writer created a lead with one of these emails, phones or external ids meanwhile; create them one at a time.");
        }
    }

    public async Task<Result<Lead>> GetAsync(Guid tenantId, Guid leadId, bool includeDeleted, CancellationToken cancellationToken)
    {
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        var lead = await LeadStore.FindAsync(database, tenantId, leadId, cancellationToken);
        return lead is null || (lead.DeletedAt is not null && !includeDeleted) ? Problem.NotFound("The lead") : lead.ToLead(keys);
    }

    public async Task<Result<Lead>> UpdateAsync(LeadActor actor, Guid leadId, LeadUpdate update, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        LeadValidation.Validate(update.Fields, errors, creating: false);
        var outcome = ReadOutcome(update.Outcome, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        if (update.Fields.OwnerUserId is not null && !actor.CanAssign)
        {
            return Problem.Forbidden("Your role cannot assign leads to an owner.");
        }

        var keys = await keyring.ForTenantAsync(actor.TenantId, cancellationToken);
        try
        {
            // Batched like a create. Session aside, a change is four round trips: the stages, the lock, the owner check and
            // the custom-field rules together; the update (returning the row) with its history, the scoring context and
            // the routing candidates; the score, the events and the AI work row; COMMIT.
            return await database.InTenantBatchedAsync(actor.TenantId, async scope =>
            {
                var stagesRead = pipeline.StagesLaterAsync(scope, actor.TenantId);
                var lockRead = LeadStore.LockLaterAsync(scope, leadId);
                var ownerRead = update.Fields.OwnerUserId is { } newOwner ? LeadStore.IsActiveUserLaterAsync(scope, newOwner) : Task.FromResult(true);
                var rulesRead = attributeRules.RulesLaterAsync(scope);
                await scope.FlushAsync();
                var stages = await stagesRead;
                var current = (await lockRead)?.Opened(keys);
                if (current is null)
                {
                    return (Result<Lead>)Problem.NotFound("The lead");
                }

                var stage = update.Fields.Stage?.Trim() ?? current.Stage;
                if (outcome is { } closed)
                {
                    stage = stages.First(s => s.Kind == (closed.Status == "won" ? StageKind.Won : StageKind.Lost)).Key;
                }

                if (stages.All(s => s.Key != stage))
                {
                    return UnknownStage(stage, stages);
                }

                var closingKind = stages.First(s => s.Key == stage).Kind;
                if (closingKind != StageKind.Open && outcome is null && current.Outcome is null)
                {
                    return new Problem(ProblemKind.Unprocessable, closingKind == StageKind.Won
                        ? "Moving a lead to the won stage needs an outcome with the won amount."
                        : "Moving a lead to the lost stage needs an outcome with the reason.");
                }

                if (!await ownerRead)
                {
                    return new Problem(ProblemKind.Unprocessable, "The owner is not an active user of this business.");
                }

                var attributeErrors = new ValidationErrors();
                (await rulesRead)?.Invoke(update.Fields.Attributes, false, attributeErrors);
                if (attributeErrors.ToProblem() is { } badAttributes)
                {
                    return badAttributes;
                }

                var changed = Apply(current, update.Fields, stage, outcome, closingKind, timeProvider.GetUtcNow());
                var rescore = ScoringInputsChanged(current, changed);
                var now = timeProvider.GetUtcNow();
                var stored = LeadStore.UpdateLaterAsync(scope, keys, changed, rescore, now);
                await RecordChangesAsync(scope, actor, current, changed, now);
                var returned = ToLeadLaterAsync(stored, keys);
                // With a re-score, the returned row arrives with the scoring context and is answered as scored (and
                // routed, when it has no owner) in memory; without, it arrives with the next read: the flush below.
                var updated = rescore
                    ? await scorer.ScoreNewInTransactionAsync(scope, actor.TenantId, returned, needsRouting: changed.OwnerUserId is null)
                    : await FlushedAsync(scope, returned);
                await PublishChangesAsync(scope, actor.TenantId, current, updated);
                return updated;
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict("Another lead already has this email, phone or external id.");
        }
    }

    /// <summary>
    /// Changes many leads in one transaction, each as <see cref="UpdateAsync"/> changes one (validated alone, its history,
    /// activities and events, re-scored when a scoring input changed), with the locks, the checks and the scoring of them
    /// all done at once: the refresh path of a sync page. A lead named twice gets the second change on top of the first.
    /// </summary>
    /// <returns>One result per change, in order; a conflict when a change would give a lead another live lead's email,
    /// phone or external id (nothing was changed: change them one at a time).</returns>
    public async Task<Result<IReadOnlyList<Result<Lead>>>> UpdateManyAsync(
        LeadActor actor, IReadOnlyList<(Guid LeadId, LeadUpdate Update)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(changes);
        var results = new Result<Lead>?[changes.Count];
        var outcomes = new OutcomeInput?[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            var errors = new ValidationErrors();
            LeadValidation.Validate(changes[i].Update.Fields, errors, creating: false);
            outcomes[i] = ReadOutcome(changes[i].Update.Outcome, errors);
            if (errors.ToProblem() is { } invalid)
            {
                results[i] = invalid;
            }
            else if (changes[i].Update.Fields.OwnerUserId is not null && !actor.CanAssign)
            {
                results[i] = Problem.Forbidden("Your role cannot assign leads to an owner.");
            }
        }

        var keys = await keyring.ForTenantAsync(actor.TenantId, cancellationToken);
        try
        {
            return await database.InTenantBatchedAsync(actor.TenantId, async scope =>
            {
                var stagesRead = pipeline.StagesLaterAsync(scope, actor.TenantId);
                var rulesRead = attributeRules.RulesLaterAsync(scope);
                var owners = changes.Where((c, i) => results[i] is null && c.Update.Fields.OwnerUserId is not null).Select(c => c.Update.Fields.OwnerUserId!.Value).Distinct().ToArray();
                var activeRead = owners.Length == 0 ? Task.FromResult<IReadOnlySet<Guid>>(new HashSet<Guid>()) : LeadStore.ActiveUsersLaterAsync(scope, owners);
                var lockRead = LeadStore.LockManyLaterAsync(scope, changes.Where((_, i) => results[i] is null).Select(c => c.LeadId).Distinct().ToArray());
                await scope.FlushAsync();
                var stages = await stagesRead;
                var rules = await rulesRead;
                var active = await activeRead;
                var current = (await lockRead).ToDictionary(pair => pair.Key, pair => pair.Value.Opened(keys));
                var now = timeProvider.GetUtcNow();
                var changed = new List<(int Index, StoredLead Before)>();
                var rescored = new HashSet<Guid>();
                for (var i = 0; i < changes.Count; i++)
                {
                    if (results[i] is not null)
                    {
                        continue;
                    }

                    var (leadId, update) = changes[i];
                    if (!current.TryGetValue(leadId, out var before))
                    {
                        results[i] = Problem.NotFound("The lead");
                        continue;
                    }

                    var stage = update.Fields.Stage?.Trim() ?? before.Stage;
                    if (outcomes[i] is { } closed)
                    {
                        stage = stages.First(s => s.Kind == (closed.Status == "won" ? StageKind.Won : StageKind.Lost)).Key;
                    }

                    var attributeErrors = new ValidationErrors();
                    rules?.Invoke(update.Fields.Attributes, false, attributeErrors);
                    var closingKind = stages.FirstOrDefault(s => s.Key == stage)?.Kind;
                    if (closingKind is null)
                    {
                        results[i] = UnknownStage(stage, stages);
                    }
                    else if (closingKind != StageKind.Open && outcomes[i] is null && before.Outcome is null)
                    {
                        results[i] = new Problem(ProblemKind.Unprocessable, closingKind == StageKind.Won
                            ? "Moving a lead to the won stage needs an outcome with the won amount."
                            : "Moving a lead to the lost stage needs an outcome with the reason.");
                    }
                    else if (update.Fields.OwnerUserId is { } owner && !active.Contains(owner))
                    {
                        results[i] = new Problem(ProblemKind.Unprocessable, "The owner is not an active user of this business.");
                    }
                    else if (attributeErrors.ToProblem() is { } badAttributes)
                    {
                        results[i] = badAttributes;
                    }
                    else
                    {
                        var after = Apply(before, update.Fields, stage, outcomes[i], closingKind, now);
                        var rescore = ScoringInputsChanged(before, after);
                        await LeadStore.UpdateAsync(scope, keys, after, rescore, now);
                        await RecordChangesAsync(scope, actor, before, after, now);
                        if (rescore)
                        {
                            rescored.Add(leadId);
                        }

                        current[leadId] = after;
                        changed.Add((i, before));
                    }
                }

                await scorer.ScoreManyInTransactionAsync(scope, actor.TenantId, [.. rescored]);
                var ids = changed.Select(c => c.Before.Id).Distinct().ToArray();
                var stored = ids.Length == 0 ? new Dictionary<Guid, StoredLead>() : await LeadStore.FindManyAsync(scope, ids);
                foreach (var (index, before) in changed)
                {
                    var after = stored[before.Id].ToLead(keys);
                    await PublishChangesAsync(scope, actor.TenantId, before, after);
                    results[index] = after;
                }

                return (Result<IReadOnlyList<Result<Lead>>>)results.Select(r => r!.Value).ToList();
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict("A change would give a lead another lead's email, phone or external id; change them one at a time.");
        }
    }

    /// <summary>The live leads among these ids (one read), by id; deleted and unknown ones are left out.</summary>
    public async Task<IReadOnlyDictionary<Guid, Lead>> GetManyAsync(Guid tenantId, IReadOnlyCollection<Guid> leadIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leadIds);
        if (leadIds.Count == 0)
        {
            return new Dictionary<Guid, Lead>();
        }

        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        var stored = await database.InTenantAsync(tenantId, scope => LeadStore.FindManyAsync(scope, [.. leadIds]), cancellationToken);
        return stored.Values.Where(lead => lead.DeletedAt is null).ToDictionary(lead => lead.Id, lead => lead.ToLead(keys));
    }

    public async Task<Result<Lead>> DeleteAsync(LeadActor actor, Guid leadId, CancellationToken cancellationToken) =>
        await ChangeStateAsync(actor, leadId, LeadStore.SoftDeleteAsync, "deleted", cancellationToken);

    public async Task<Result<Lead>> RestoreAsync(LeadActor actor, Guid leadId, CancellationToken cancellationToken)
    {
        try
        {
            return await ChangeStateAsync(actor, leadId, LeadStore.RestoreAsync, "restored", cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict("A live lead now has the same email or phone; merge or change it before restoring this one.");
        }
    }

    public async Task<LeadPage> ListAsync(Guid tenantId, LeadFilter filter, int limit, string? cursor, CancellationToken cancellationToken)
    {
        Guid? before = Guid.TryParse(cursor, out var parsed) ? parsed : null;
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        var rows = await database.InTenantAsync(tenantId, scope => LeadStore.PageAsync(scope, keys, filter, before, limit + 1), cancellationToken);
        return new LeadPage(rows.Take(limit).Select(r => r.ToLead(keys)).ToList(), rows.Count > limit ? rows[limit - 1].Id.ToString() : null);
    }

    public async Task<Result<LeadActivity>> AddNoteAsync(LeadActor actor, Guid leadId, string? body, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Required("body", body, 10_000);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (await LeadStore.FindAsync(scope, leadId) is not { DeletedAt: null })
            {
                return (Result<LeadActivity>)Problem.NotFound("The lead");
            }

            await LeadStore.RecordActivityAsync(scope, actor.TenantId, leadId, "note", body!.Trim(), actor.Actor, "{}", timeProvider.GetUtcNow());
            return (await LeadStore.ActivitiesAsync(scope, leadId, null, 1))[0];
        }, cancellationToken);
    }

    public async Task<Result<(IReadOnlyList<LeadActivity> Items, string? NextCursor)>> ActivitiesAsync(Guid tenantId, Guid leadId, int limit, string? cursor, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, async scope =>
        {
            if (await LeadStore.FindAsync(scope, leadId) is not { DeletedAt: null })
            {
                return (Result<(IReadOnlyList<LeadActivity>, string?)>)Problem.NotFound("The lead");
            }

            Guid? before = Guid.TryParse(cursor, out var parsed) ? parsed : null;
            var items = await LeadStore.ActivitiesAsync(scope, leadId, before, limit + 1);
            return (items.Take(limit).ToList(), items.Count > limit ? items[limit - 1].Id.ToString() : null);
        }, cancellationToken);

    public async Task<Result<IReadOnlyList<StageChange>>> StageHistoryAsync(Guid tenantId, Guid leadId, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, async scope =>
            await LeadStore.FindAsync(scope, leadId) is { DeletedAt: null }
                ? Result<IReadOnlyList<StageChange>>.Success(await LeadStore.StageChangesAsync(scope, leadId))
                : Problem.NotFound("The lead"), cancellationToken);

    private async Task<Result<Lead>> ChangeStateAsync(LeadActor actor, Guid leadId, Func<DbTransactionScope, Guid, DateTimeOffset, Task<bool>> change, string kind, CancellationToken cancellationToken)
    {
        var keys = await keyring.ForTenantAsync(actor.TenantId, cancellationToken);
        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            if (!await change(scope, leadId, now))
            {
                return (Result<Lead>)Problem.NotFound("The lead");
            }

            await LeadStore.RecordActivityAsync(scope, actor.TenantId, leadId, kind, null, actor.Actor, "{}", now);
            return (await LeadStore.FindAsync(scope, leadId))!.ToLead(keys);
        }, cancellationToken);
    }

    /// <summary>
    /// A new lead as given (emails and phones already normalised), with its first stage and its "created" activity,
    /// returning the row as stored, opened: held back in the scope with its history, so it completes at the scope's next
    /// round trip.
    /// </summary>
    private static async Task<Lead> InsertNewLaterAsync(
        DbTransactionScope scope, TenantKeys keys, LeadActor actor, LeadInput input, string? email, string? phone, string stage, DateTimeOffset now)
    {
        var lead = NewLead(input, email, phone, stage);
        var stored = LeadStore.InsertLaterAsync(scope, keys, lead, now);
        await LeadStore.RecordStageChangeAsync(scope, actor.TenantId, lead.Id, null, stage, actor.Actor, now);
        await LeadStore.RecordActivityAsync(scope, actor.TenantId, lead.Id, "created", null, actor.Actor, "{}", now);
        return (await stored).ToLead(keys);
    }

    /// <summary>The batch's rows, then their stage history and activities: one statement each, all riding with the next round trip.</summary>
    private static async Task InsertManyAsync(
        DbTransactionScope scope, LeadActor actor, TenantKeys keys, IReadOnlyList<(int Index, StoredLead Lead, string FirstStage)> created, DateTimeOffset now)
    {
        await LeadStore.InsertManyAsync(scope, keys, created.Select(c => c.Lead).ToList(), now);
        var history = new List<(Guid LeadId, string? FromStage, string ToStage)>(created.Count);
        var activities = new List<(Guid LeadId, string Kind, string? Body, string DataJson)>(created.Count);
        foreach (var (_, lead, firstStage) in created)
        {
            history.Add((lead.Id, null, firstStage));
            activities.Add((lead.Id, "created", null, "{}"));
            if (lead.Stage != firstStage)
            {
                history.Add((lead.Id, firstStage, lead.Stage));
                activities.Add((lead.Id, "stage_changed", null, StageChangedData(firstStage, lead.Stage)));
            }

            if (lead.Outcome is { } outcome)
            {
                activities.Add((lead.Id, outcome, lead.LostReason, OutcomeData(lead)));
            }
        }

        await LeadStore.RecordStageChangesAsync(scope, actor.TenantId, history, actor.Actor, now);
        await LeadStore.RecordActivitiesAsync(scope, actor.TenantId, activities, actor.Actor, now);
    }

    /// <summary>
    /// A new lead's events. One created closed is announced as a create and then a close would announce it: created (as
    /// it was before closing), updated, then converted or lost.
    /// </summary>
    private static IEnumerable<(string EventType, object Data)> CreatedEvents(Lead lead, string firstStage)
    {
        if (lead.Outcome is not { } outcome)
        {
            yield return ("lead.created", lead);
            yield break;
        }

        yield return ("lead.created", lead with { Stage = firstStage, Outcome = null });
        yield return ("lead.updated", lead);
        yield return (outcome.Status == "won" ? "lead.converted" : "lead.lost", new { leadId = lead.Id, outcome });
    }

    private static Guid? LiveDuplicate(byte[]? index, Dictionary<string, Guid> live) =>
        index is not null && live.TryGetValue(Convert.ToHexString(index), out var id) ? id : null;

    /// <summary>A new lead closed as <see cref="Apply"/> closes one: in the won or lost stage, with the outcome's values.</summary>
    private static StoredLead Closed(StoredLead lead, OutcomeInput outcome, string stage, DateTimeOffset now) => lead with
    {
        Stage = stage, Outcome = outcome.Status,
        WonAmount = outcome.Status == "won" ? decimal.Parse(outcome.Amount!, CultureInfo.InvariantCulture) : null,
        WonCurrency = outcome.Status == "won" ? outcome.Currency!.ToUpperInvariant() : null,
        LostReason = outcome.Status == "lost" ? outcome.LostReason!.Trim() : null,
        OutcomeAt = now,
    };

    private static string StageChangedData(string from, string to) => new JsonObject { ["from"] = from, ["to"] = to }.ToJsonString();

    private static string OutcomeData(StoredLead lead) =>
        new JsonObject { ["amount"] = lead.WonAmount?.ToString(CultureInfo.InvariantCulture), ["currency"] = lead.WonCurrency }.ToJsonString();

    private static StoredLead NewLead(LeadInput input, string? email, string? phone, string stage) => new()
    {
        Id = Guid.CreateVersion7(), FirstName = Clean(input.FirstName), LastName = Clean(input.LastName), Company = Clean(input.Company),
        Email = email, Phone = phone, Source = Clean(input.Source), ExternalId = Clean(input.ExternalId), PostalCode = Clean(input.PostalCode),
        State = Clean(input.State), City = Clean(input.City), Country = Clean(input.Country), Notes = Clean(input.Notes),
        Attributes = JsonSerializer.Serialize(input.Attributes ?? []), OwnerUserId = input.OwnerUserId, Stage = stage,
    };

    private async Task<Result<(Lead, bool)>> MergeAsync(DbTransactionScope scope, TenantKeys keys, LeadActor actor, Guid existingId, LeadInput input)
    {
        var current = (await LeadStore.LockAsync(scope, existingId))!.Opened(keys);
        var attributes = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(current.Attributes) ?? [];
        foreach (var (key, value) in input.Attributes ?? [])
        {
            attributes[key] = value;
        }

        var merged = current with
        {
            FirstName = current.FirstName ?? Clean(input.FirstName), LastName = current.LastName ?? Clean(input.LastName),
            Company = current.Company ?? Clean(input.Company), Email = current.Email ?? LeadValidation.NormalizeEmail(input.Email),
            Phone = current.Phone ?? LeadValidation.NormalizePhone(input.Phone), Source = current.Source ?? Clean(input.Source),
            ExternalId = current.ExternalId ?? Clean(input.ExternalId), PostalCode = current.PostalCode ?? Clean(input.PostalCode),
            State = current.State ?? Clean(input.State), City = current.City ?? Clean(input.City), Country = current.Country ?? Clean(input.Country),
            Notes = string.Join("\n\n", new[] { current.Notes, Clean(input.Notes) }.Where(n => n is not null)) is { Length: > 0 } notes ? notes : null,
            Attributes = JsonSerializer.Serialize(attributes),
        };
        var now = timeProvider.GetUtcNow();
        await LeadStore.UpdateAsync(scope, keys, merged, rescore: true, now);
        await LeadStore.RecordActivityAsync(scope, actor.TenantId, existingId, "merged", null, actor.Actor, "{}", now);
        await scorer.ScoreInTransactionAsync(scope, actor.TenantId, existingId);
        return ((await LeadStore.FindAsync(scope, existingId))!.ToLead(keys), false);
    }

    private static StoredLead Apply(StoredLead current, LeadInput input, string stage, OutcomeInput? outcome, string stageKind, DateTimeOffset now)
    {
        var attributes = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(current.Attributes) ?? [];
        foreach (var (key, value) in input.Attributes ?? [])
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                attributes.Remove(key);
            }
            else
            {
                attributes[key] = value;
            }
        }

        var reopened = stageKind == StageKind.Open;
        return current with
        {
            FirstName = Clean(input.FirstName) ?? current.FirstName, LastName = Clean(input.LastName) ?? current.LastName,
            Company = Clean(input.Company) ?? current.Company, Email = LeadValidation.NormalizeEmail(input.Email) ?? current.Email,
            Phone = LeadValidation.NormalizePhone(input.Phone) ?? current.Phone, Source = Clean(input.Source) ?? current.Source,
            ExternalId = Clean(input.ExternalId) ?? current.ExternalId, PostalCode = Clean(input.PostalCode) ?? current.PostalCode,
            State = Clean(input.State) ?? current.State, City = Clean(input.City) ?? current.City, Country = Clean(input.Country) ?? current.Country,
            Notes = input.Notes is null ? current.Notes : Clean(input.Notes), Attributes = JsonSerializer.Serialize(attributes),
            OwnerUserId = input.OwnerUserId ?? current.OwnerUserId, Stage = stage,
            Outcome = reopened ? null : outcome?.Status ?? current.Outcome,
            WonAmount = reopened ? null : outcome is null ? current.WonAmount : outcome.Status == "won" ? decimal.Parse(outcome.Amount!, CultureInfo.InvariantCulture) : null,
            WonCurrency = reopened ? null : outcome is null ? current.WonCurrency : outcome.Status == "won" ? outcome.Currency!.ToUpperInvariant() : null,
            LostReason = reopened ? null : outcome is null ? current.LostReason : outcome.Status == "lost" ? outcome.LostReason!.Trim() : null,
            OutcomeAt = reopened ? null : outcome is null ? current.OutcomeAt : now,
        };
    }

    private static bool ScoringInputsChanged(StoredLead before, StoredLead after) =>
        before with { OwnerUserId = null, Stage = "", Outcome = null, WonAmount = null, WonCurrency = null, LostReason = null, OutcomeAt = null, Notes = null }
        != after with { OwnerUserId = null, Stage = "", Outcome = null, WonAmount = null, WonCurrency = null, LostReason = null, OutcomeAt = null, Notes = null };

    private static async Task RecordChangesAsync(DbTransactionScope scope, LeadActor actor, StoredLead before, StoredLead after, DateTimeOffset now)
    {
        if (before.Stage != after.Stage)
        {
            await LeadStore.RecordStageChangeAsync(scope, actor.TenantId, after.Id, before.Stage, after.Stage, actor.Actor, now);
            await LeadStore.RecordActivityAsync(scope, actor.TenantId, after.Id, "stage_changed", null, actor.Actor, StageChangedData(before.Stage, after.Stage), now);
        }

        if (before.OwnerUserId != after.OwnerUserId)
        {
            await LeadStore.RecordActivityAsync(scope, actor.TenantId, after.Id, "assigned", null, actor.Actor,
                new JsonObject { ["ownerUserId"] = after.OwnerUserId?.ToString() }.ToJsonString(), now);
        }

        if (before.Outcome != after.Outcome && after.Outcome is not null)
        {
            await LeadStore.RecordActivityAsync(scope, actor.TenantId, after.Id, after.Outcome, after.LostReason, actor.Actor, OutcomeData(after), now);
        }

        if (before with { Stage = after.Stage, OwnerUserId = after.OwnerUserId, Outcome = after.Outcome, WonAmount = after.WonAmount, WonCurrency = after.WonCurrency, LostReason = after.LostReason, OutcomeAt = after.OutcomeAt } != after)
        {
            await LeadStore.RecordActivityAsync(scope, actor.TenantId, after.Id, "updated", null, actor.Actor, "{}", now);
        }
    }

    private static async Task<Lead> ToLeadLaterAsync(Task<StoredLead> stored, TenantKeys keys) => (await stored).ToLead(keys);

    private static async Task<Lead> FlushedAsync(DbTransactionScope scope, Task<Lead> held)
    {
        await scope.FlushAsync();
        return await held;
    }

    /// <summary>
    /// The change's events go into the outbox in the change's own transaction: no change without its event. An owner set
    /// by the change is named from the row the update returned; one set by routing has its event from the scorer.
    /// </summary>
    private async Task PublishChangesAsync(DbTransactionScope scope, Guid tenantId, StoredLead before, Lead after)
    {
        await outbox.AddAsync(scope, tenantId, "lead.updated", after, scope.CancellationToken);
        if (before.OwnerUserId != after.OwnerUserId && after.OwnerUserId is { } owner)
        {
            await outbox.AddAsync(scope, tenantId, "lead.assigned",
                after.OwnerName is { } name ? new LeadAssignedData(after.Id, owner, new LeadAssignee(owner, name), after.UpdatedAt)
                    : await LeadAssignedData.ForAsync(scope, after.Id, owner, after.UpdatedAt), scope.CancellationToken);
        }

        if (before.Outcome != after.Outcome?.Status && after.Outcome is { } outcome)
        {
            await outbox.AddAsync(scope, tenantId, outcome.Status == "won" ? "lead.converted" : "lead.lost",
                new { leadId = after.Id, outcome }, scope.CancellationToken);
        }
    }

    private static OutcomeInput? ReadOutcome(OutcomeInput? outcome, ValidationErrors errors)
    {
        if (outcome is null)
        {
            return null;
        }

        switch (outcome.Status)
        {
            case "won":
                if (!decimal.TryParse(outcome.Amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount < 0 || amount > 999_999_999_999m)
                {
                    errors.Add("outcome.amount", "must be a non-negative decimal string such as \"1250.00\".");
                }

                if (outcome.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetter))
                {
                    errors.Add("outcome.currency", "must be a three-letter ISO 4217 code.");
                }

                break;
            case "lost":
                errors.Required("outcome.lostReason", outcome.LostReason, 500);
                break;
            default:
                errors.Add("outcome.status", "must be won or lost.");
                break;
        }

        return outcome;
    }

    private static Problem UnknownStage(string stage, IReadOnlyList<PipelineStage> stages) =>
        new(ProblemKind.Unprocessable, $"'{stage}' is not a stage of this pipeline. Stages: {string.Join(", ", stages.Select(s => s.Key))}.");

    private static Problem Duplicate(Guid existingId) =>
        new(ProblemKind.Conflict, "A lead with this email or phone number already exists. Send ?merge=true to merge into it.",
            Extensions: new Dictionary<string, object?> { ["existingLeadId"] = existingId });

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
