using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.FieldOps.Dispatch;

public sealed record DispatchRequest(DateOnly? Date, string? Basis);

/// <summary>One visit a re-plan moved: from which technician and start to which (null: unassigned), and why.</summary>
public sealed record VisitRescheduled(
    Guid VisitId, Guid JobId, string Address, string Reason, Guid TriggeredByVisitId, Guid? FromTechnicianId, DateTimeOffset? FromStart,
    Guid? ToTechnicianId, DateTimeOffset? ToStart, DateTimeOffset RescheduledAt);

/// <summary>What a re-plan means for one technician: the visits of theirs it moved (possibly none, when their own visit was cancelled or late).</summary>
public sealed record TechnicianChanges(Guid TechnicianId, string Reason, Guid TriggeredByVisitId, IReadOnlyList<VisitRescheduled> Changes);

/// <summary>A re-plan's result: the day it planned (null when the visit is gone) and the technicians to tell.</summary>
public sealed record DayReplanOutcome(DateOnly? Date, IReadOnlyList<TechnicianChanges> Technicians);

public sealed record SuggestedStop(Guid VisitId, DateTimeOffset Arrival, DateTimeOffset Start, DateTimeOffset Finish, double TravelKm, bool InWindow);

public sealed record SuggestedRoute(Guid TechnicianId, double TravelKm, DateTimeOffset ReturnHome, IReadOnlyList<SuggestedStop> Stops);

/// <summary>
/// The planner's plan for a day, in the business's time zone, with the reasons for each placement. <see cref="Basis"/>
/// fingerprints what the plan was made from: apply refuses it once any visit or technician of the day has changed.
/// </summary>
public sealed record DispatchSuggestion(
    DateOnly Date, string Basis, bool Applied, double TotalTravelKm, int VisitsInWindow, int VisitsLate, IReadOnlyList<SuggestedRoute> Routes,
    IReadOnlyList<UnassignableVisit> Unassigned, IReadOnlyList<DispatchExplanation> Explanations);

/// <summary>
/// Plans a day's scheduled visits over the active technicians (<see cref="DispatchPlanner"/>), starting from the
/// assignments already made, and applies a plan in one transaction. Visits with more than one technician are left as
/// they are: the planner routes one technician per visit.
/// </summary>
public sealed class DispatchService(StreamFlowDatabase database, WebhookOutbox outbox, TimeProvider timeProvider)
{
    public async Task<Result<DispatchSuggestion>> SuggestAsync(FieldActor actor, DispatchRequest request, CancellationToken cancellationToken)
    {
        if (request.Date is not { } date)
        {
            return Problem.Validation("date", "is required (YYYY-MM-DD, the business's local day).");
        }

        return await database.InTenantAsync(actor.TenantId, async scope => (Result<DispatchSuggestion>)(await PlanAsync(scope, date, lockRows: false)), cancellationToken);
    }

    public async Task<Result<DispatchSuggestion>> ApplyAsync(FieldActor actor, DispatchRequest request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.Date is null)
        {
            errors.Add("date", "is required (YYYY-MM-DD, the business's local day).");
        }

        errors.Required("basis", request.Basis, 128);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var plan = await PlanAsync(scope, request.Date!.Value, lockRows: true);
            if (plan.Basis != request.Basis)
            {
                return (Result<DispatchSuggestion>)new Problem(ProblemKind.Conflict,
                    "The day's visits or technicians changed since this suggestion: ask for a new one and apply that.",
                    Extensions: new Dictionary<string, object?> { ["currentBasis"] = plan.Basis });
            }

            var now = timeProvider.GetUtcNow();
            foreach (var route in plan.Routes)
            {
                foreach (var stop in route.Stops)
                {
                    await VisitStore.AssignAsync(scope, actor.TenantId, stop.VisitId, [route.TechnicianId], stop.Start, actor.Actor, null, now);
                }
            }

            return plan with { Applied = true };
        }, cancellationToken);
    }

    private static async Task<DispatchSuggestion> PlanAsync(DbTransactionScope scope, DateOnly date, bool lockRows) =>
        (await PlanDayAsync(scope, date, lockRows)).Suggestion;

    /// <summary>
    /// Plans the day: the scheduled visits not reported late, over the active technicians less their time off and less
    /// the time a late visit holds them (from the start of the day until it is expected to finish).
    /// </summary>
    private static async Task<(DispatchSuggestion Suggestion, IReadOnlyList<StoredVisit> Visits, TimeZoneInfo Zone)> PlanDayAsync(
        DbTransactionScope scope, DateOnly date, bool lockRows)
    {
        var (settings, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
        var midnight = TimeZones.StartOf(date, zone);
        var nextMidnight = TimeZones.StartOf(date.AddDays(1), zone);
        var technicians = lockRows
            ? (await TechnicianStore.LockAllAsync(scope, [.. (await TechnicianStore.ActiveAsync(scope)).Select(t => t.Id)])).Where(t => t.Active).ToList()
            : [.. await TechnicianStore.ActiveAsync(scope)];
        var visits = (await VisitStore.DayAsync(scope, midnight, nextMidnight, lockRows))
            .Where(v => v.TechnicianIds.Length <= 1 && v.LateMinutes is null).ToList();
        var timeOff = await TimeOffStore.OverlappingAsync(scope, midnight, nextMidnight);
        var late = await VisitStore.LateOfDayAsync(scope, midnight, nextMidnight);

        TimeSpan Local(DateTimeOffset instant) => instant - midnight;
        var day = new DispatchDay(
            date,
            [.. technicians.Select(t => TechnicianService.ToDispatch(t) with { Unavailable = Blocks(t.Id, timeOff, late, Local) })],
            [.. visits.Select(v => new DispatchVisit(
                v.Id, new GeoPoint(v.Latitude, v.Longitude), Local(v.WindowStart), Local(v.WindowEnd), TimeSpan.FromMinutes(v.DurationMinutes),
                v.RequiredSkills, v.RequiredCertifications))]);
        var current = new DispatchPlan(
            [.. visits.Where(v => v.TechnicianIds.Length == 1).GroupBy(v => v.TechnicianIds[0]).Select(g => new TechnicianRoute(
                g.Key, [.. g.OrderBy(v => v.Start).Select(v => new PlannedStop(v.Id, Local(v.Start), Local(v.Start), Local(v.Finish), 0, true))], 0, TimeSpan.Zero))],
            [], []);
        var plan = DispatchPlanner.Replan(day, current, new DispatchOptions(settings.AverageSpeedKmh));

        DateTimeOffset At(TimeSpan offset) => midnight + offset;
        var suggestion = new DispatchSuggestion(
            date, Basis(date, settings, technicians, visits, timeOff, late), false, Math.Round(plan.TotalTravelKm, 2), plan.VisitsInWindow, plan.VisitsLate,
            [.. plan.Routes.Where(r => r.Stops.Count > 0).Select(r => new SuggestedRoute(
                r.TechnicianId, Math.Round(r.TravelKm, 2), At(r.ReturnHome),
                [.. r.Stops.Select(s => new SuggestedStop(s.VisitId, At(s.Arrival), At(s.Start), At(s.Finish), Math.Round(s.TravelKm, 2), s.InWindow))]))],
            plan.Unassigned, plan.Explanations);
        return (suggestion, visits, zone);
    }

    /// <summary>The technician's unavailable stretches of the day, in offsets from local midnight, merged and ordered.</summary>
    private static List<Unavailability>? Blocks(
        Guid technicianId, IReadOnlyList<StoredTimeOff> timeOff, IReadOnlyList<StoredVisit> late, Func<DateTimeOffset, TimeSpan> local)
    {
        var blocks = timeOff.Where(t => t.TechnicianId == technicianId).Select(t => new Unavailability(local(t.StartsAt), local(t.EndsAt)))
            .Concat(late.Where(v => v.TechnicianIds.Contains(technicianId))
                .Select(v => new Unavailability(TimeSpan.Zero, local(v.Start.AddMinutes(v.LateMinutes!.Value + v.DurationMinutes)))))
            .OrderBy(b => b.From).ToList();
        return blocks.Count == 0 ? null : blocks;
    }

    /// <summary>
    /// Re-plans the local day of <paramref name="visitId"/> after it was added, cancelled or reported late, or time off
    /// was recorded over it, and applies the new plan at once: every visit whose technician or start changes is
    /// reassigned (a visit nobody can take any more is unassigned) and sends <c>visit.rescheduled</c> in the same
    /// transaction. Returns the changes by technician, for the notifications.
    /// </summary>
    public async Task<DayReplanOutcome> ReplanAsync(Guid tenantId, Guid visitId, string reason, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, async scope =>
        {
            var trigger = await VisitStore.FindAsync(scope, visitId);
            if (trigger is null)
            {
                return new DayReplanOutcome(null, []);
            }

            var (_, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
            var date = DateOnly.FromDateTime(TimeZones.Local(trigger.WindowStart, zone).DateTime);
            var (plan, before, _) = await PlanDayAsync(scope, date, lockRows: true);
            var now = timeProvider.GetUtcNow();
            var changes = new List<VisitRescheduled>();
            var placed = plan.Routes.SelectMany(r => r.Stops.Select(s => (r.TechnicianId, s.VisitId, s.Start))).ToDictionary(p => p.VisitId);
            foreach (var visit in before.Where(v => v.TechnicianIds.Length <= 1))
            {
                var from = visit.TechnicianIds.Length == 1 ? visit.TechnicianIds[0] : (Guid?)null;
                var fromStart = visit.ScheduledStart;
                var (to, toStart) = placed.TryGetValue(visit.Id, out var stop) ? ((Guid?)stop.TechnicianId, (DateTimeOffset?)stop.Start) : (null, null);
                // Starts are kept to the microsecond and planned to the tick: within a minute is the same start.
                if ((from == to && (to is null || (fromStart is { } was && toStart is { } now2 && Math.Abs((was - now2).TotalMinutes) < 1)))
                    || (to is null && reason is not ("time_off" or "late")))
                {
                    // Unchanged; or not placed now while nobody became unavailable (a hand assignment the planner would not make stays).
                    continue;
                }

                await VisitStore.AssignAsync(scope, tenantId, visit.Id, to is { } t ? [t] : [], toStart, "dispatch:replan", null, now);
                var change = new VisitRescheduled(visit.Id, visit.JobId, visit.Address, reason, visitId, from, fromStart, to, toStart, now);
                changes.Add(change);
                await outbox.AddAsync(scope, tenantId, WebhookEventCatalog.VisitRescheduled, change, now, scope.CancellationToken);
            }

            // The technicians of a cancelled or late visit hear of it even when nothing else moved.
            var notify = changes.SelectMany(c => new[] { c.FromTechnicianId, c.ToTechnicianId }).OfType<Guid>()
                .Concat(reason is "cancelled" or "late" ? trigger.TechnicianIds : []).Distinct().OrderBy(t => t).ToList();
            return new DayReplanOutcome(date, [.. notify.Select(t => new TechnicianChanges(t, reason, visitId,
                [.. changes.Where(c => c.FromTechnicianId == t || c.ToTechnicianId == t)]))]);
        }, cancellationToken);

    /// <summary>A fingerprint of everything the planner reads: any change to a visit, an assignment or a technician alters it.</summary>
    private static string Basis(
        DateOnly date, FieldOpsSettings settings, IEnumerable<StoredTechnician> technicians, IEnumerable<StoredVisit> visits, IEnumerable<StoredTimeOff> timeOff,
        IEnumerable<StoredVisit> late)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{date:yyyy-MM-dd}|{settings.AverageSpeedKmh}"));
        foreach (var t in technicians.OrderBy(t => t.Id))
        {
            text.Append(CultureInfo.InvariantCulture, $"|t:{t.Id}:{t.Version}");
        }

        foreach (var v in visits.OrderBy(v => v.Id))
        {
            text.Append(CultureInfo.InvariantCulture, $"|v:{v.Id}:{v.Version}:{v.Latitude}:{v.Longitude}:{string.Join(',', v.TechnicianIds)}");
        }

        foreach (var t in timeOff.OrderBy(t => t.Id))
        {
            text.Append(CultureInfo.InvariantCulture, $"|o:{t.Id}");
        }

        foreach (var v in late.OrderBy(v => v.Id))
        {
            text.Append(CultureInfo.InvariantCulture, $"|l:{v.Id}:{v.Version}");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
