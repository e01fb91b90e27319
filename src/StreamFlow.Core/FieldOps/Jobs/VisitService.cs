using System.Globalization;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.FieldOps.Jobs;

/// <summary>
/// Visits: created on a job, assigned by hand (no double booking; skills and certifications checked unless overridden
/// with a reason, which is audited), moved through their statuses. Users without FieldOpsManage see only the visits
/// assigned to their own technician.
/// </summary>
public sealed class VisitService(StreamFlowDatabase database, WebhookOutbox outbox, WorkOutbox work, AuditLog audit, TimeProvider timeProvider)
{
    public const int MaxTechniciansPerVisit = 10;

    /// <summary>A visit added this far ahead or nearer re-plans its day at once; later days are planned when the dispatcher asks.</summary>
    public static readonly TimeSpan ReplanHorizon = TimeSpan.FromDays(14);

    public async Task<Result<Visit>> CreateAsync(FieldActor actor, Guid jobId, VisitInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var visit = VisitRules.Validate(input, null, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (await JobStore.LockAsync(scope, jobId) is null)
            {
                return (Result<Visit>)Problem.NotFound("The job");
            }

            var now = timeProvider.GetUtcNow();
            await VisitStore.InsertAsync(scope, actor.TenantId, visit with { JobId = jobId }, now);
            if (visit.WindowStart < now + ReplanHorizon)
            {
                await work.AddAsync(scope, actor.TenantId, FieldWorkKinds.ReplanAdded, visit.Id);
            }

            return (await VisitStore.FindAsync(scope, visit.Id))!.ToVisit();
        }, cancellationToken);
    }

    public Task<Result<Visit>> GetAsync(FieldActor actor, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            var visit = await VisitStore.FindAsync(scope, id, await OwnTechnicianAsync(scope, actor));
            return visit is null ? (Result<Visit>)Problem.NotFound("The visit") : visit.ToVisit();
        }, cancellationToken);

    public async Task<Result<VisitPage>> ListAsync(FieldActor actor, VisitFilter filter, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var before = FieldOpsCursor.Read(cursor);
        if (!before.Succeeded)
        {
            return before.Problem;
        }

        var rows = await database.InTenantAsync(actor.TenantId, async scope =>
        {
            (DateTimeOffset, DateTimeOffset)? day = null;
            if (filter.Date is { } date)
            {
                var (_, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
                day = (TimeZones.StartOf(date, zone), TimeZones.StartOf(date.AddDays(1), zone));
            }

            return await VisitStore.PageAsync(scope, filter, day, await OwnTechnicianAsync(scope, actor), before.Value, limit + 1);
        }, cancellationToken);
        return new VisitPage([.. rows.Take(limit).Select(v => v.ToVisit())], FieldOpsCursor.Next(rows, limit, r => r.Id));
    }

    /// <summary>Changes a visit's times, needs or notes (null keeps a value) while it is still scheduled.</summary>
    public Task<Result<Visit>> UpdateAsync(FieldActor actor, Guid id, VisitInput input, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            var current = await VisitStore.LockAsync(scope, id);
            if (current is null)
            {
                return (Result<Visit>)Problem.NotFound("The visit");
            }

            var errors = new ValidationErrors();
            var changed = VisitRules.Validate(input, current, errors);
            if (errors.ToProblem() is { } invalid)
            {
                return invalid;
            }

            if (current.Status != VisitStatus.Scheduled)
            {
                return Problem.Conflict($"The visit is {current.Status}: only a scheduled visit can be changed.");
            }

            if (input.WindowStart is not null && current.ScheduledStart is not null)
            {
                // New times void the old plan's start; the technicians stay and are checked again on the next assignment.
                changed = changed with { ScheduledStart = null };
            }

            await VisitStore.UpdateAsync(scope, changed, timeProvider.GetUtcNow());
            return (await VisitStore.FindAsync(scope, id))!.ToVisit();
        }, cancellationToken);

    public Task<Result<bool>> DeleteAsync(FieldActor actor, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            var current = await VisitStore.LockAsync(scope, id);
            if (current is null)
            {
                return (Result<bool>)Problem.NotFound("The visit");
            }

            return await VisitStore.DeleteAsync(scope, id)
                ? true
                : Problem.Conflict($"The visit is {current.Status}: only a scheduled visit can be deleted (cancel it instead).");
        }, cancellationToken);

    /// <summary>
    /// Puts technicians on a visit by hand. A technician already busy at that time is a 409 naming the other visit; one
    /// without a required skill or with a missing or expired certification is a 422 unless the dispatcher overrides with a
    /// reason, which goes into the audit log.
    /// </summary>
    public async Task<Result<Visit>> AssignAsync(FieldActor actor, Guid id, AssignmentInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var technicianIds = input.TechnicianIds?.Distinct().ToList();
        if (technicianIds is null)
        {
            errors.Add("technicianIds", "is required: the technicians' ids (an empty list unassigns).");
        }
        else if (technicianIds.Count > MaxTechniciansPerVisit)
        {
            errors.Add("technicianIds", $"must have at most {MaxTechniciansPerVisit} entries.");
        }

        var overrideReason = input.Override?.Reason?.Trim();
        if (input.Override is not null)
        {
            errors.Required("override.reason", overrideReason, 1000);
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var visit = await VisitStore.LockAsync(scope, id);
            if (visit is null)
            {
                return (Result<Visit>)Problem.NotFound("The visit");
            }

            if (visit.Status is VisitStatus.Completed or VisitStatus.Cancelled)
            {
                return Problem.Conflict($"The visit is {visit.Status}: its technicians can no longer change.");
            }

            var technicians = await TechnicianStore.LockAllAsync(scope, technicianIds!);
            for (var i = 0; i < technicianIds!.Count; i++)
            {
                if (technicians.FirstOrDefault(t => t.Id == technicianIds[i]) is not { Active: true })
                {
                    return JobService.Unprocessable($"technicianIds[{i}]", "is not an active technician of this business.");
                }
            }

            var start = input.ScheduledStart ?? visit.Start;
            var (_, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
            var day = DateOnly.FromDateTime(TimeZones.Local(start, zone).DateTime);
            var shortfalls = technicians.Select(t => (Technician: t, Missing: Shortfall(t, visit, day))).Where(s => s.Missing.Count > 0).ToList();
            if (shortfalls.Count > 0 && overrideReason is null)
            {
                var first = shortfalls[0];
                return new Problem(ProblemKind.Unprocessable,
                    $"{first.Technician.Name} ({first.Technician.Id}) lacks {string.Join(", ", first.Missing)} for this visit; assign someone qualified, or send override.reason.",
                    new Dictionary<string, string[]> { ["technicianIds"] = [.. shortfalls.Select(s => $"{s.Technician.Id} lacks {string.Join(", ", s.Missing)}")] });
            }

            if (technicianIds.Count > 0
                && (await TimeOffStore.OverlappingAsync(scope, start, start.AddMinutes(visit.DurationMinutes), technicianIds)).FirstOrDefault() is { } off)
            {
                return new Problem(ProblemKind.Conflict,
                    $"Technician {off.TechnicianId} is off from {off.StartsAt:O} to {off.EndsAt:O}.",
                    Extensions: new Dictionary<string, object?> { ["timeOffId"] = off.Id, ["technicianId"] = off.TechnicianId });
            }

            if (technicianIds.Count > 0
                && await VisitStore.FirstOverlapAsync(scope, id, technicianIds, start, start.AddMinutes(visit.DurationMinutes)) is { } clash)
            {
                return new Problem(ProblemKind.Conflict,
                    $"Technician {clash.TechnicianId} already has visit {clash.VisitId} from {clash.Start:O} to {clash.Finish:O}.",
                    Extensions: new Dictionary<string, object?> { ["conflictingVisitId"] = clash.VisitId, ["technicianId"] = clash.TechnicianId });
            }

            var now = timeProvider.GetUtcNow();
            await VisitStore.AssignAsync(scope, actor.TenantId, id, technicianIds, input.ScheduledStart ?? visit.ScheduledStart, actor.Actor,
                shortfalls.Count > 0 ? overrideReason : null, now);
            if (shortfalls.Count > 0)
            {
                await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, actor.TenantId, actor.Actor, "visit.assignment.override", $"visit:{id}",
                    AuditOutcome.Succeeded, actor.Origin, new JsonObject
                    {
                        ["reason"] = overrideReason,
                        ["shortfalls"] = string.Join("; ", shortfalls.Select(s => $"{s.Technician.Id}: {string.Join(", ", s.Missing)}")),
                    }));
            }

            return (await VisitStore.FindAsync(scope, id))!.ToVisit();
        }, cancellationToken);
    }

    /// <summary>Moves a visit along scheduled → en route → on site → completed, or to cancelled; any other move is a 409.</summary>
    public async Task<Result<Visit>> ChangeStatusAsync(FieldActor actor, Guid id, StatusChange change, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (change.Status is null || !VisitStatus.All.Contains(change.Status))
        {
            errors.Add("status", $"must be one of: {string.Join(", ", VisitStatus.All)}.");
        }

        errors.MaxLength("notes", change.Notes, 10_000);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        if (change.Status == VisitStatus.Cancelled && !actor.CanManage)
        {
            return Problem.Forbidden("Only a dispatcher (FieldOpsManage) cancels a visit.");
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var visit = await VisitStore.LockAsync(scope, id, await OwnTechnicianAsync(scope, actor));
            if (visit is null)
            {
                return (Result<Visit>)Problem.NotFound("The visit");
            }

            if (!VisitStatus.CanMove(visit.Status, change.Status!))
            {
                return Problem.Conflict($"A visit cannot go from {visit.Status} to {change.Status}.");
            }

            var now = timeProvider.GetUtcNow();
            await VisitStore.MoveAsync(scope, id, visit.Status, change.Status!, change.Notes, now);
            var changed = (await VisitStore.FindAsync(scope, id))!;
            await outbox.AddAsync(scope, actor.TenantId, WebhookEventCatalog.VisitStatusChanged, new
            {
                visitId = id, jobId = visit.JobId, from = visit.Status, to = changed.Status, technicianIds = changed.TechnicianIds, changedAt = now,
            }, now, scope.CancellationToken);
            if (changed.Status == VisitStatus.Cancelled)
            {
                await work.AddAsync(scope, actor.TenantId, FieldWorkKinds.ReplanCancelled, id);
            }

            if (changed.Status == VisitStatus.Completed)
            {
                await outbox.AddAsync(scope, actor.TenantId, WebhookEventCatalog.VisitCompleted, new
                {
                    visitId = id, jobId = visit.JobId, technicianIds = changed.TechnicianIds, notes = changed.Notes, completedAt = now,
                }, now, scope.CancellationToken);
            }

            return changed.ToVisit();
        }, cancellationToken);
    }

    /// <summary>
    /// A technician's word that they will start a visit late (1 to 720 minutes after its planned start): recorded, and
    /// the day re-planned with that technician held up until the visit is expected to finish.
    /// </summary>
    public async Task<Result<Visit>> ReportLateAsync(FieldActor actor, Guid id, LateReport report, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (report.Minutes is not (>= 1 and <= 720))
        {
            errors.Add("minutes", "is required: how many minutes after the planned start the visit will begin, 1 to 720.");
        }

        errors.MaxLength("reason", report.Reason, 500);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var visit = await VisitStore.LockAsync(scope, id, await OwnTechnicianAsync(scope, actor));
            if (visit is null)
            {
                return (Result<Visit>)Problem.NotFound("The visit");
            }

            if (visit.Status is VisitStatus.Completed or VisitStatus.Cancelled or VisitStatus.OnSite)
            {
                return Problem.Conflict($"The visit is {visit.Status}: only a visit not yet started can run late.");
            }

            if (visit.TechnicianIds.Length == 0)
            {
                return Problem.Conflict("The visit has no technician yet: nobody can be late for it.");
            }

            await VisitStore.ReportLateAsync(scope, id, report.Minutes!.Value, timeProvider.GetUtcNow());
            await work.AddAsync(scope, actor.TenantId, FieldWorkKinds.ReplanLate, id);
            return (await VisitStore.FindAsync(scope, id))!.ToVisit();
        }, cancellationToken);
    }

    /// <summary>Null for a dispatcher (sees everything); else the caller's technician id, or an id nobody has when the caller is none.</summary>
    internal static async Task<Guid?> OwnTechnicianAsync(DbTransactionScope scope, FieldActor actor) =>
        actor.CanManage ? null : (await TechnicianStore.FindByUserAsync(scope, actor.UserId))?.Id ?? Guid.Empty;

    private static List<string> Shortfall(StoredTechnician technician, StoredVisit visit, DateOnly day)
    {
        var missing = visit.RequiredSkills.Where(s => !technician.Skills.Contains(s, StringComparer.Ordinal)).Select(s => $"skill {s}").ToList();
        var certifications = TechnicianService.Certifications(technician);
        foreach (var name in visit.RequiredCertifications)
        {
            var held = certifications.Where(c => c.Name == name).Select(c => c.ExpiresOn).Max();
            if (held is null)
            {
                missing.Add($"certification {name}");
            }
            else if (held < day)
            {
                missing.Add($"certification {name} (expired {held.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})");
            }
        }

        return missing;
    }
}
