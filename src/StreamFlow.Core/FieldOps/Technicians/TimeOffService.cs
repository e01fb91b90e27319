using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Core.FieldOps.Technicians;

/// <summary>A stretch when a technician does not work: dispatch plans around it and hand assignment refuses it (409).</summary>
public sealed record TimeOff(Guid Id, Guid TechnicianId, DateTimeOffset Start, DateTimeOffset End, string? Reason, string CreatedBy, DateTimeOffset CreatedAt);

public sealed record TimeOffInput(DateTimeOffset? Start, DateTimeOffset? End, string? Reason);

/// <summary>Time off as recorded, with the technician's scheduled visits it overlaps: each day they fall on is re-planned.</summary>
public sealed record TimeOffRecorded(TimeOff TimeOff, IReadOnlyList<Guid> ReplannedVisitIds);

public sealed record TimeOffList(IReadOnlyList<TimeOff> Items);

/// <summary>
/// Technicians' time off. Recording it queues a re-plan (<see cref="FieldWorkKinds.ReplanTimeOff"/>) for each scheduled
/// visit of the technician it overlaps; the re-plan moves those visits to other times or technicians, or unassigns them.
/// </summary>
public sealed class TimeOffService(StreamFlowDatabase database, WorkOutbox work, TimeProvider timeProvider)
{
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(366);

    public async Task<Result<TimeOffRecorded>> CreateAsync(FieldActor actor, Guid technicianId, TimeOffInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (input.Start is null)
        {
            errors.Add("start", "is required (an ISO 8601 instant).");
        }

        if (input.End is null)
        {
            errors.Add("end", "is required (an ISO 8601 instant).");
        }
        else if (input.Start is { } s && (input.End <= s || input.End - s > MaxLength))
        {
            errors.Add("end", "must be after start, and at most 366 days after it.");
        }

        errors.MaxLength("reason", input.Reason, 500);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (await TechnicianStore.LockAsync(scope, technicianId) is null)
            {
                return (Result<TimeOffRecorded>)Problem.NotFound("The technician");
            }

            var now = timeProvider.GetUtcNow();
            var timeOff = new StoredTimeOff
            {
                Id = Guid.CreateVersion7(), TechnicianId = technicianId, StartsAt = input.Start!.Value.ToUniversalTime(), EndsAt = input.End!.Value.ToUniversalTime(),
                Reason = string.IsNullOrWhiteSpace(input.Reason) ? null : input.Reason.Trim(), CreatedBy = actor.Actor, CreatedAt = now,
            };
            await TimeOffStore.InsertAsync(scope, actor.TenantId, timeOff, now);
            var clashing = await TimeOffStore.ClashingVisitsAsync(scope, technicianId, timeOff.StartsAt, timeOff.EndsAt);
            foreach (var visit in clashing)
            {
                await work.AddAsync(scope, actor.TenantId, FieldWorkKinds.ReplanTimeOff, visit.VisitId);
            }

            return new TimeOffRecorded(timeOff.ToTimeOff(), [.. clashing.Select(c => c.VisitId)]);
        }, cancellationToken);
    }

    public Task<Result<TimeOffList>> ListAsync(FieldActor actor, Guid technicianId, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
            await TechnicianStore.FindAsync(scope, technicianId) is null
                ? (Result<TimeOffList>)Problem.NotFound("The technician")
                : new TimeOffList([.. (await TimeOffStore.OfTechnicianAsync(scope, technicianId, null)).Select(t => t.ToTimeOff())]),
            cancellationToken);

    public Task<Result<bool>> DeleteAsync(FieldActor actor, Guid technicianId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
            await TimeOffStore.DeleteAsync(scope, technicianId, id) ? (Result<bool>)true : Problem.NotFound("The time off"),
            cancellationToken);
}

/// <summary>The work-outbox kinds that re-plan a field day; the subject is the visit whose change set it off.</summary>
public static class FieldWorkKinds
{
    public const string ReplanAdded = "fieldops.replan.added";
    public const string ReplanCancelled = "fieldops.replan.cancelled";
    public const string ReplanLate = "fieldops.replan.late";
    public const string ReplanTimeOff = "fieldops.replan.time-off";

    public static readonly string[] All = [ReplanAdded, ReplanCancelled, ReplanLate, ReplanTimeOff];

    /// <summary>The reason a re-plan names in its events and mails: added, cancelled, late or time_off.</summary>
    public static string Reason(string kind) => kind switch
    {
        ReplanCancelled => "cancelled",
        ReplanLate => "late",
        ReplanTimeOff => "time_off",
        _ => "added",
    };
}
