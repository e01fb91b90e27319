using System.Text.Json;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.FieldOps.Jobs;

/// <summary>Jobs at a service address, one-off or recurring, and the visits a recurring job repeats.</summary>
public sealed class JobService(StreamFlowDatabase database, WebhookOutbox outbox, WorkOutbox work, TimeProvider timeProvider)
{
    public const int MaxOccurrences = 200;

    public async Task<Result<JobCreated>> CreateAsync(FieldActor actor, JobInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var job = Validate(input, new StoredJob { Id = Guid.CreateVersion7() }, errors, creating: true);
        var visit = input.Visit is null ? null : VisitRules.Validate(input.Visit, null, errors, "visit");
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (job.LeadId is { } leadId && !await JobStore.LeadExistsAsync(scope, leadId))
            {
                return (Result<JobCreated>)Unprocessable("leadId", "is not a lead of this business.");
            }

            var (_, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
            var occurrences = visit is null ? [] : Occurrences(visit, input.Recurrence, zone);
            if (occurrences.Count > MaxOccurrences)
            {
                return Unprocessable("recurrence.until", $"gives {occurrences.Count} visits; at most {MaxOccurrences} are created at once.");
            }

            var now = timeProvider.GetUtcNow();
            await JobStore.InsertAsync(scope, actor.TenantId, job, now);
            foreach (var occurrence in occurrences)
            {
                await VisitStore.InsertAsync(scope, actor.TenantId, occurrence with { JobId = job.Id }, now);
                if (occurrence.WindowStart < now + VisitService.ReplanHorizon)
                {
                    await work.AddAsync(scope, actor.TenantId, FieldWorkKinds.ReplanAdded, occurrence.Id);
                }
            }

            var created = ToJob((await JobStore.FindAsync(scope, job.Id))!);
            await outbox.AddAsync(scope, actor.TenantId, WebhookEventCatalog.JobCreated, created, scope.CancellationToken);
            return new JobCreated(created, [.. (await VisitStore.OfJobAsync(scope, job.Id)).Select(v => v.ToVisit())]);
        }, cancellationToken);
    }

    public async Task<Result<Job>> GetAsync(FieldActor actor, Guid id, CancellationToken cancellationToken)
    {
        var job = await database.InTenantAsync(actor.TenantId, scope => JobStore.FindAsync(scope, id), cancellationToken);
        return job is null ? Problem.NotFound("The job") : ToJob(job);
    }

    public async Task<Result<JobPage>> ListAsync(FieldActor actor, Guid? leadId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var before = FieldOpsCursor.Read(cursor);
        if (!before.Succeeded)
        {
            return before.Problem;
        }

        var rows = await database.InTenantAsync(actor.TenantId, scope => JobStore.PageAsync(scope, leadId, before.Value, limit + 1), cancellationToken);
        return new JobPage([.. rows.Take(limit).Select(ToJob)], FieldOpsCursor.Next(rows, limit, r => r.Id));
    }

    /// <summary>Changes the fields given (null keeps a value); visits already created keep their own times.</summary>
    public Task<Result<Job>> UpdateAsync(FieldActor actor, Guid id, JobInput input, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            var current = await JobStore.LockAsync(scope, id);
            if (current is null)
            {
                return (Result<Job>)Problem.NotFound("The job");
            }

            var errors = new ValidationErrors();
            var changed = Validate(input, current, errors, creating: false);
            if (input.Visit is not null)
            {
                errors.Add("visit", "cannot be changed here: add visits with POST /api/v1/jobs/{id}/visits.");
            }

            if (errors.ToProblem() is { } invalid)
            {
                return invalid;
            }

            if (changed.LeadId is { } leadId && leadId != current.LeadId && !await JobStore.LeadExistsAsync(scope, leadId))
            {
                return Unprocessable("leadId", "is not a lead of this business.");
            }

            await JobStore.UpdateAsync(scope, changed, timeProvider.GetUtcNow());
            return ToJob((await JobStore.FindAsync(scope, id))!);
        }, cancellationToken);

    public Task<Result<bool>> DeleteAsync(FieldActor actor, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (await JobStore.LockAsync(scope, id) is null)
            {
                return (Result<bool>)Problem.NotFound("The job");
            }

            return await JobStore.SoftDeleteAsync(scope, id, timeProvider.GetUtcNow())
                ? true
                : Problem.Conflict("A visit of this job has started or is completed: the job stays on the record.");
        }, cancellationToken);

    internal static Problem Unprocessable(string field, string message) =>
        new(ProblemKind.Unprocessable, $"{field} {message}", new Dictionary<string, string[]> { [field] = [message] });

    private static Job ToJob(StoredJob j) => new(
        j.Id, j.LeadId, j.CustomerName, j.Title, j.Address, new Location(j.Latitude, j.Longitude), j.GeofenceRadiusMetres,
        j.Recurrence is null ? null : JsonSerializer.Deserialize<Recurrence>(j.Recurrence, StreamFlowJson.Options), j.Version, j.CreatedAt, j.UpdatedAt);

    private static List<StoredVisit> Occurrences(StoredVisit first, Recurrence? recurrence, TimeZoneInfo zone)
    {
        var visits = new List<StoredVisit> { first };
        if (recurrence is null)
        {
            return visits;
        }

        var localStart = TimeZones.Local(first.WindowStart, zone);
        var length = first.WindowEnd - first.WindowStart;
        var until = recurrence.Until!.Value;
        for (var k = 1; visits.Count <= MaxOccurrences; k++)
        {
            var local = recurrence.Frequency switch
            {
                "weekly" => localStart.DateTime.AddDays(7 * recurrence.Interval!.Value * k),
                "monthly" => localStart.DateTime.AddMonths(recurrence.Interval!.Value * k),
                _ => localStart.DateTime.AddDays(recurrence.Interval!.Value * k),
            };
            if (DateOnly.FromDateTime(local) > until)
            {
                break;
            }

            var start = TimeZones.At(DateOnly.FromDateTime(local), local.TimeOfDay, zone);
            visits.Add(first with { Id = Guid.CreateVersion7(), WindowStart = start, WindowEnd = start + length });
        }

        return visits;
    }

    private static StoredJob Validate(JobInput input, StoredJob current, ValidationErrors errors, bool creating)
    {
        var next = current;
        if (creating || input.CustomerName is not null)
        {
            errors.Required("customerName", input.CustomerName, 200);
            next = next with { CustomerName = input.CustomerName?.Trim() ?? "" };
        }

        if (creating || input.Title is not null)
        {
            errors.Required("title", input.Title, 200);
            next = next with { Title = input.Title?.Trim() ?? "" };
        }

        if (creating || input.Address is not null)
        {
            errors.Required("address", input.Address, 500);
            next = next with { Address = input.Address?.Trim() ?? "" };
        }

        if (creating || input.Location is not null)
        {
            FieldOpsValidation.Location(errors, "location", input.Location, required: true);
            next = next with { Latitude = input.Location?.Latitude ?? 0, Longitude = input.Location?.Longitude ?? 0 };
        }

        if (input.GeofenceRadiusMetres is { } radius)
        {
            if (radius is < 10 or > 10_000)
            {
                errors.Add("geofenceRadiusMetres", "must be from 10 to 10000.");
            }

            next = next with { GeofenceRadiusMetres = radius };
        }

        if (input.LeadId is not null)
        {
            next = next with { LeadId = input.LeadId };
        }

        if (input.Recurrence is { } recurrence)
        {
            if (recurrence.Frequency is not ("weekly" or "monthly" or "everyNDays"))
            {
                errors.Add("recurrence.frequency", "must be weekly, monthly or everyNDays.");
            }

            if (recurrence.Interval is not (>= 1 and <= 365))
            {
                errors.Add("recurrence.interval", "is required, from 1 to 365.");
            }

            if (recurrence.Until is null)
            {
                errors.Add("recurrence.until", "is required (YYYY-MM-DD): a recurring job has an end.");
            }

            next = next with { Recurrence = JsonSerializer.Serialize(recurrence, StreamFlowJson.Options) };
        }

        return next;
    }
}

/// <summary>The checks on a visit's times and needs.</summary>
internal static class VisitRules
{
    public static StoredVisit Validate(VisitInput input, StoredVisit? current, ValidationErrors errors, string prefix = "")
    {
        string Field(string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
        var next = current ?? new StoredVisit { Id = Guid.CreateVersion7() };
        if (current is null || input.WindowStart is not null)
        {
            if (input.WindowStart is null)
            {
                errors.Add(Field("windowStart"), "is required (ISO-8601 UTC): when the technician should arrive at the earliest.");
            }

            next = next with { WindowStart = input.WindowStart ?? default };
        }

        if (current is null || input.WindowEnd is not null)
        {
            if (input.WindowEnd is null)
            {
                errors.Add(Field("windowEnd"), "is required (ISO-8601 UTC): when the technician should arrive at the latest.");
            }

            next = next with { WindowEnd = input.WindowEnd ?? default };
        }

        if (next.WindowEnd < next.WindowStart)
        {
            errors.Add(Field("windowEnd"), "must not be before windowStart.");
        }
        else if (next.WindowEnd - next.WindowStart > TimeSpan.FromDays(1))
        {
            errors.Add(Field("windowEnd"), "must be within a day of windowStart.");
        }

        if (current is null || input.DurationMinutes is not null)
        {
            if (input.DurationMinutes is not (>= 1 and <= 1440))
            {
                errors.Add(Field("durationMinutes"), "is required, from 1 to 1440.");
            }

            next = next with { DurationMinutes = input.DurationMinutes ?? 1 };
        }

        if (input.RequiredSkills is not null)
        {
            next = next with { RequiredSkills = FieldOpsValidation.Tags(errors, Field("requiredSkills"), input.RequiredSkills) };
        }

        if (input.RequiredCertifications is not null)
        {
            next = next with { RequiredCertifications = FieldOpsValidation.Tags(errors, Field("requiredCertifications"), input.RequiredCertifications) };
        }

        if (input.Notes is not null)
        {
            errors.MaxLength(Field("notes"), input.Notes, 10_000);
            next = next with { Notes = input.Notes };
        }

        return next;
    }
}
