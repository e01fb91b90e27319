using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.Dispatch;

public sealed record DispatchRequest(DateOnly? Date, string? Basis);

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
public sealed class DispatchService(StreamFlowDatabase database, TimeProvider timeProvider)
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

    private static async Task<DispatchSuggestion> PlanAsync(DbTransactionScope scope, DateOnly date, bool lockRows)
    {
        var (settings, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
        var midnight = TimeZones.StartOf(date, zone);
        var technicians = lockRows
            ? (await TechnicianStore.LockAllAsync(scope, [.. (await TechnicianStore.ActiveAsync(scope)).Select(t => t.Id)])).Where(t => t.Active).ToList()
            : [.. await TechnicianStore.ActiveAsync(scope)];
        var visits = (await VisitStore.DayAsync(scope, midnight, TimeZones.StartOf(date.AddDays(1), zone), lockRows))
            .Where(v => v.TechnicianIds.Length <= 1).ToList();

        TimeSpan Local(DateTimeOffset instant) => instant - midnight;
        var day = new DispatchDay(
            date,
            [.. technicians.Select(TechnicianService.ToDispatch)],
            [.. visits.Select(v => new DispatchVisit(
                v.Id, new GeoPoint(v.Latitude, v.Longitude), Local(v.WindowStart), Local(v.WindowEnd), TimeSpan.FromMinutes(v.DurationMinutes),
                v.RequiredSkills, v.RequiredCertifications))]);
        var current = new DispatchPlan(
            [.. visits.Where(v => v.TechnicianIds.Length == 1).GroupBy(v => v.TechnicianIds[0]).Select(g => new TechnicianRoute(
                g.Key, [.. g.OrderBy(v => v.Start).Select(v => new PlannedStop(v.Id, Local(v.Start), Local(v.Start), Local(v.Finish), 0, true))], 0, TimeSpan.Zero))],
            [], []);
        var plan = DispatchPlanner.Replan(day, current, new DispatchOptions(settings.AverageSpeedKmh));

        DateTimeOffset At(TimeSpan offset) => midnight + offset;
        return new DispatchSuggestion(
            date, Basis(date, settings, technicians, visits), false, Math.Round(plan.TotalTravelKm, 2), plan.VisitsInWindow, plan.VisitsLate,
            [.. plan.Routes.Where(r => r.Stops.Count > 0).Select(r => new SuggestedRoute(
                r.TechnicianId, Math.Round(r.TravelKm, 2), At(r.ReturnHome),
                [.. r.Stops.Select(s => new SuggestedStop(s.VisitId, At(s.Arrival), At(s.Start), At(s.Finish), Math.Round(s.TravelKm, 2), s.InWindow))]))],
            plan.Unassigned, plan.Explanations);
    }

    /// <summary>A fingerprint of everything the planner reads: any change to a visit, an assignment or a technician alters it.</summary>
    private static string Basis(DateOnly date, FieldOpsSettings settings, IEnumerable<StoredTechnician> technicians, IEnumerable<StoredVisit> visits)
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

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
