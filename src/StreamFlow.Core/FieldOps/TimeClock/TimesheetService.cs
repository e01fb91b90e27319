using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.FieldOps.TimeClock;

public sealed record TimesheetRequest(Guid? TechnicianId, DateOnly? PeriodStart, DateOnly? PeriodEnd);

public sealed record TimesheetChange(string? Note);

/// <summary>A technician's hours over a pay period, split by the tenant's overtime rules; approved, it is locked.</summary>
public sealed record Timesheet(
    Guid Id, Guid TechnicianId, DateOnly PeriodStart, DateOnly PeriodEnd, string Status, IReadOnlyList<TimesheetDay> Days, double RegularHours,
    double OvertimeHours, string? Note, string? ApprovedBy, DateTimeOffset? ApprovedAt, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record TimesheetPage(IReadOnlyList<Timesheet> Items, string? NextCursor);

/// <summary>
/// Timesheets per pay period: computed from the punches (<see cref="WorkedTime"/>, then <see cref="OvertimeRules"/> with
/// the tenant's thresholds), recomputed while a draft, approved by a manager and from then on locked (409 on change).
/// </summary>
public sealed class TimesheetService(StreamFlowDatabase database, WebhookOutbox outbox, TimeProvider timeProvider)
{
    public const int MaxPeriodDays = 31;

    public async Task<Result<Timesheet>> ComputeAsync(FieldActor actor, TimesheetRequest request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.TechnicianId is null)
        {
            errors.Add("technicianId", "is required.");
        }

        if (request.PeriodStart is null)
        {
            errors.Add("periodStart", "is required (YYYY-MM-DD).");
        }

        if (request.PeriodEnd is null || request.PeriodEnd < request.PeriodStart)
        {
            errors.Add("periodEnd", "is required (YYYY-MM-DD), on or after periodStart.");
        }
        else if (request.PeriodStart is { } s && request.PeriodEnd.Value.DayNumber - s.DayNumber >= MaxPeriodDays)
        {
            errors.Add("periodEnd", $"must be within {MaxPeriodDays} days of periodStart.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var technicianId = request.TechnicianId!.Value;
            if (await TechnicianStore.FindAsync(scope, technicianId) is null)
            {
                return (Result<Timesheet>)JobService.Unprocessable("technicianId", "is not a technician of this business.");
            }

            var (start, end) = (request.PeriodStart!.Value, request.PeriodEnd!.Value);
            if (await TimesheetStore.FindByPeriodAsync(scope, technicianId, start) is { Status: "approved" } approved)
            {
                return Locked(approved.Id);
            }

            var (settings, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
            var punches = await TimeClockStore.RangeAsync(scope, technicianId, TimeZones.StartOf(start, zone), TimeZones.StartOf(end.AddDays(1), zone));
            var totals = OvertimeRules.Apply(
                WorkedTime.Days(punches.Select(TimeClockService.ToAccepted), zone), new OvertimePolicy(settings.DailyOvertimeHours, settings.WeeklyOvertimeHours));
            var id = await TimesheetStore.UpsertDraftAsync(scope, actor.TenantId, new StoredTimesheet
            {
                Id = Guid.CreateVersion7(), TechnicianId = technicianId, PeriodStart = start, PeriodEnd = end,
                Days = JsonSerializer.Serialize(totals.Days, StreamFlowJson.Options),
                RegularHours = (decimal)totals.RegularHours, OvertimeHours = (decimal)totals.OvertimeHours,
            }, timeProvider.GetUtcNow());
            return id is { } saved ? ToTimesheet((await TimesheetStore.FindAsync(scope, saved))!) : Locked(start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }, cancellationToken);
    }

    public Task<Result<Timesheet>> GetAsync(FieldActor actor, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            var sheet = await TimesheetStore.FindAsync(scope, id, await VisitService.OwnTechnicianAsync(scope, actor));
            return sheet is null ? (Result<Timesheet>)Problem.NotFound("The timesheet") : ToTimesheet(sheet);
        }, cancellationToken);

    public async Task<Result<TimesheetPage>> ListAsync(FieldActor actor, Guid? technicianId, string? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var before = FieldOpsCursor.Read(cursor);
        if (!before.Succeeded)
        {
            return before.Problem;
        }

        if (status is not (null or "draft" or "approved"))
        {
            return Problem.Validation("status", "must be draft or approved.");
        }

        var rows = await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var own = await VisitService.OwnTechnicianAsync(scope, actor);
            var technician = own is { } mine && technicianId is { } asked && asked != mine ? Guid.Empty : own ?? technicianId;
            return await TimesheetStore.PageAsync(scope, technician, status, before.Value, limit + 1);
        }, cancellationToken);
        return new TimesheetPage([.. rows.Take(limit).Select(ToTimesheet)], FieldOpsCursor.Next(rows, limit, r => r.Id));
    }

    public async Task<Result<Timesheet>> ChangeNoteAsync(FieldActor actor, Guid id, TimesheetChange change, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().MaxLength("note", change.Note, 2000);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var sheet = await TimesheetStore.LockAsync(scope, id);
            if (sheet is null)
            {
                return (Result<Timesheet>)Problem.NotFound("The timesheet");
            }

            if (!await TimesheetStore.SetNoteAsync(scope, id, change.Note, timeProvider.GetUtcNow()))
            {
                return Locked(id);
            }

            return ToTimesheet((await TimesheetStore.FindAsync(scope, id))!);
        }, cancellationToken);
    }

    public Task<Result<Timesheet>> ApproveAsync(FieldActor actor, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (await TimesheetStore.LockAsync(scope, id) is null)
            {
                return (Result<Timesheet>)Problem.NotFound("The timesheet");
            }

            var now = timeProvider.GetUtcNow();
            if (!await TimesheetStore.ApproveAsync(scope, id, actor.Actor, now))
            {
                return Locked(id);
            }

            var approved = ToTimesheet((await TimesheetStore.FindAsync(scope, id))!);
            await outbox.AddAsync(scope, actor.TenantId, WebhookEventCatalog.TimesheetApproved, new
            {
                timesheetId = id, technicianId = approved.TechnicianId, periodStart = approved.PeriodStart, periodEnd = approved.PeriodEnd,
                regularHours = approved.RegularHours, overtimeHours = approved.OvertimeHours, approvedBy = actor.Actor, approvedAt = now,
            }, now, scope.CancellationToken);
            return approved;
        }, cancellationToken);

    /// <summary>The timesheet as CSV for payroll: one row per day, then the totals.</summary>
    public async Task<Result<string>> ExportCsvAsync(FieldActor actor, Guid id, CancellationToken cancellationToken)
    {
        var sheet = await GetAsync(actor, id, cancellationToken);
        if (!sheet.Succeeded)
        {
            return sheet.Problem;
        }

        var csv = new StringBuilder("technician_id,date,worked_hours,regular_hours,overtime_hours,status\n");
        foreach (var day in sheet.Value.Days)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{sheet.Value.TechnicianId},{day.Date:yyyy-MM-dd},{day.WorkedHours:0.00},{day.RegularHours:0.00},{day.OvertimeHours:0.00},{sheet.Value.Status}\n");
        }

        csv.Append(CultureInfo.InvariantCulture,
            $"{sheet.Value.TechnicianId},total,{sheet.Value.RegularHours + sheet.Value.OvertimeHours:0.00},{sheet.Value.RegularHours:0.00},{sheet.Value.OvertimeHours:0.00},{sheet.Value.Status}\n");
        return csv.ToString();
    }

    private static Problem Locked(Guid id) => Locked(id.ToString());

    private static Problem Locked(string which) => Problem.Conflict($"Timesheet {which} is approved and locked: it can no longer change.");

    private static Timesheet ToTimesheet(StoredTimesheet s) => new(
        s.Id, s.TechnicianId, s.PeriodStart, s.PeriodEnd, s.Status, JsonSerializer.Deserialize<TimesheetDay[]>(s.Days, StreamFlowJson.Options) ?? [],
        (double)s.RegularHours, (double)s.OvertimeHours, s.Note, s.ApprovedBy, s.ApprovedAt, s.Version, s.CreatedAt, s.UpdatedAt);
}
