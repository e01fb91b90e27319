using System.Text.Json;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Dispatch;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.Technicians;

/// <summary>A business's technicians: skills, certifications with expiry, home base, working hours and hourly cost.</summary>
public sealed class TechnicianService(StreamFlowDatabase database, TimeProvider timeProvider)
{
    public async Task<Result<Technician>> CreateAsync(FieldActor actor, TechnicianInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var stored = Validate(input, new StoredTechnician { Id = Guid.CreateVersion7(), Active = true }, errors, creating: true);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (await CheckUserAsync(scope, stored.UserId, null) is { } problem)
            {
                return (Result<Technician>)problem;
            }

            await TechnicianStore.InsertAsync(scope, actor.TenantId, stored, timeProvider.GetUtcNow());
            return ToTechnician((await TechnicianStore.FindAsync(scope, stored.Id))!);
        }, cancellationToken);
    }

    public async Task<Result<Technician>> GetAsync(FieldActor actor, Guid id, CancellationToken cancellationToken)
    {
        var stored = await database.InTenantAsync(actor.TenantId, scope => TechnicianStore.FindAsync(scope, id), cancellationToken);
        return stored is null ? Problem.NotFound("The technician") : ToTechnician(stored);
    }

    public async Task<Result<TechnicianPage>> ListAsync(FieldActor actor, bool includeInactive, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var before = FieldOpsCursor.Read(cursor);
        if (!before.Succeeded)
        {
            return before.Problem;
        }

        var rows = await database.InTenantAsync(actor.TenantId, scope => TechnicianStore.PageAsync(scope, before.Value, !includeInactive, limit + 1), cancellationToken);
        return new TechnicianPage([.. rows.Take(limit).Select(ToTechnician)], FieldOpsCursor.Next(rows, limit, r => r.Id));
    }

    /// <summary>Changes the fields given; absent (null) fields keep their value.</summary>
    public Task<Result<Technician>> UpdateAsync(FieldActor actor, Guid id, TechnicianInput input, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            var current = await TechnicianStore.LockAsync(scope, id);
            if (current is null)
            {
                return (Result<Technician>)Problem.NotFound("The technician");
            }

            var errors = new ValidationErrors();
            var changed = Validate(input, current, errors, creating: false);
            if (errors.ToProblem() is { } invalid)
            {
                return invalid;
            }

            if (await CheckUserAsync(scope, changed.UserId, id) is { } problem)
            {
                return problem;
            }

            await TechnicianStore.UpdateAsync(scope, changed, timeProvider.GetUtcNow());
            return ToTechnician((await TechnicianStore.FindAsync(scope, id))!);
        }, cancellationToken);

    /// <summary>Retires a technician: kept for history (visits, punches), no longer planned.</summary>
    public Task<Result<Technician>> DeactivateAsync(FieldActor actor, Guid id, CancellationToken cancellationToken) =>
        UpdateAsync(actor, id, new TechnicianInput(null, null, null, null, null, null, null, false), cancellationToken);

    internal static Technician ToTechnician(StoredTechnician t) => new(
        t.Id, t.UserId, t.Name, t.Skills, Certifications(t), new Location(t.HomeLatitude, t.HomeLongitude),
        new WorkingHours(FieldOpsValidation.Clock(t.WorkStartMinute), FieldOpsValidation.Clock(t.WorkEndMinute)),
        Money.Of(t.HourlyCost, t.Currency), t.Active, t.Version, t.CreatedAt, t.UpdatedAt);

    internal static DispatchTechnician ToDispatch(StoredTechnician t) => new(
        t.Id, t.Name, new GeoPoint(t.HomeLatitude, t.HomeLongitude), TimeSpan.FromMinutes(t.WorkStartMinute), TimeSpan.FromMinutes(t.WorkEndMinute),
        t.Skills.ToHashSet(StringComparer.Ordinal),
        Certifications(t).GroupBy(c => c.Name!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(c => c.ExpiresOn!.Value), StringComparer.Ordinal));

    internal static IReadOnlyList<Certification> Certifications(StoredTechnician t) =>
        JsonSerializer.Deserialize<Certification[]>(t.Certifications, StreamFlowJson.Options) ?? [];

    private static StoredTechnician Validate(TechnicianInput input, StoredTechnician current, ValidationErrors errors, bool creating)
    {
        var next = current;
        if (creating || input.Name is not null)
        {
            errors.Required("name", input.Name, 200);
            next = next with { Name = input.Name?.Trim() ?? "" };
        }

        if (input.Skills is not null)
        {
            next = next with { Skills = FieldOpsValidation.Tags(errors, "skills", input.Skills) };
        }

        if (input.Certifications is { } certifications)
        {
            for (var i = 0; i < certifications.Count; i++)
            {
                errors.Required($"certifications[{i}].name", certifications[i]?.Name, 100);
                if (certifications[i]?.ExpiresOn is null)
                {
                    errors.Add($"certifications[{i}].expiresOn", "is required (YYYY-MM-DD).");
                }
            }

            next = next with { Certifications = JsonSerializer.Serialize(certifications.Select(c => new Certification(c?.Name?.Trim(), c?.ExpiresOn)), StreamFlowJson.Options) };
        }

        if (creating || input.HomeBase is not null)
        {
            FieldOpsValidation.Location(errors, "homeBase", input.HomeBase, required: true);
            next = next with { HomeLatitude = input.HomeBase?.Latitude ?? 0, HomeLongitude = input.HomeBase?.Longitude ?? 0 };
        }

        if (creating || input.WorkingHours is not null)
        {
            var start = FieldOpsValidation.Minute(errors, "workingHours.start", input.WorkingHours?.Start);
            var end = FieldOpsValidation.Minute(errors, "workingHours.end", input.WorkingHours?.End);
            if (start is not null && end is not null && end <= start)
            {
                errors.Add("workingHours.end", "must be after the start.");
            }

            next = next with { WorkStartMinute = start ?? 0, WorkEndMinute = end ?? 1 };
        }

        if (creating || input.HourlyCost is not null)
        {
            var amount = FieldOpsValidation.Amount(errors, "hourlyCost", input.HourlyCost);
            next = next with { HourlyCost = amount ?? 0, Currency = input.HourlyCost?.Currency ?? "USD" };
        }

        if (input.UserId is not null)
        {
            next = next with { UserId = input.UserId };
        }

        if (input.Active is { } active)
        {
            next = next with { Active = active };
        }

        return next;
    }

    private static async Task<Problem?> CheckUserAsync(DbTransactionScope scope, Guid? userId, Guid? self)
    {
        if (userId is not { } user)
        {
            return null;
        }

        if (!await TechnicianStore.UserExistsAsync(scope, user))
        {
            return new Problem(ProblemKind.Unprocessable, "userId is not a user of this business.", new Dictionary<string, string[]> { ["userId"] = ["is not a user of this business."] });
        }

        return await TechnicianStore.FindByUserAsync(scope, user) is { } other && other.Id != self
            ? Problem.Conflict($"The user is already technician {other.Id}.")
            : null;
    }
}
