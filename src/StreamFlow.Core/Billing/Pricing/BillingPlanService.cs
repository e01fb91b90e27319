using System.Text.RegularExpressions;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Pricing;

/// <summary>The provider's reusable price plans: create, list, read, change and archive (never delete: prices refer to them).</summary>
public sealed partial class BillingPlanService(StreamFlowDatabase database, TimeProvider timeProvider)
{
    /// <summary>Creates a plan; every field is required except aiMarkupPercent (default 0). A taken code is a conflict.</summary>
    public async Task<Result<BillingPlan>> CreateAsync(BillingPlanInput input, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var errors = new ValidationErrors();
        var row = Validate(errors, input, new BillingPlanStore.PlanRow { Id = Guid.CreateVersion7(), CreatedAt = now, UpdatedAt = now }, creating: true);
        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        try
        {
            await database.InPlatformAsync(async scope =>
            {
                await BillingPlanStore.InsertAsync(scope, row);
                return true;
            }, cancellationToken);
            return row.ToPlan();
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict($"A plan with the code '{row.Code}' already exists.");
        }
    }

    /// <summary>Changes a plan; fields not given keep their values. Clients already on the plan keep the prices they were given.</summary>
    public async Task<Result<BillingPlan>> UpdateAsync(Guid id, BillingPlanInput input, CancellationToken cancellationToken)
    {
        try
        {
            return await database.InPlatformAsync<Result<BillingPlan>>(async scope =>
            {
                if (await BillingPlanStore.GetAsync(scope, id, forUpdate: true) is not { } existing)
                {
                    return Problem.NotFound("Plan");
                }

                var errors = new ValidationErrors();
                var row = Validate(errors, input, existing with { UpdatedAt = timeProvider.GetUtcNow() }, creating: false);
                if (errors.ToProblem() is { } problem)
                {
                    return problem;
                }

                await BillingPlanStore.UpdateAsync(scope, row);
                return row.ToPlan();
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problem.Conflict($"A plan with the code '{input.Code}' already exists.");
        }
    }

    /// <summary>Archives a plan: it is no longer offered, and clients cannot be put on it; repeating is harmless.</summary>
    public Task<Result<BillingPlan>> ArchiveAsync(Guid id, CancellationToken cancellationToken) =>
        database.InPlatformAsync<Result<BillingPlan>>(async scope =>
        {
            await BillingPlanStore.ArchiveAsync(scope, id, timeProvider.GetUtcNow());
            return await BillingPlanStore.GetAsync(scope, id) is { } plan ? plan.ToPlan() : Problem.NotFound("Plan");
        }, cancellationToken);

    public Task<Result<BillingPlan>> GetAsync(Guid id, CancellationToken cancellationToken) =>
        database.InPlatformAsync<Result<BillingPlan>>(async scope =>
            await BillingPlanStore.GetAsync(scope, id) is { } plan ? plan.ToPlan() : Problem.NotFound("Plan"), cancellationToken);

    /// <summary>Plans by code; archived ones only when asked for.</summary>
    public Task<BillingPlanList> ListAsync(bool includeArchived, CancellationToken cancellationToken) =>
        database.InPlatformAsync(async scope =>
            new BillingPlanList((await BillingPlanStore.ListAsync(scope, includeArchived)).Select(p => p.ToPlan()).ToList(), null), cancellationToken);

    private static BillingPlanStore.PlanRow Validate(ValidationErrors errors, BillingPlanInput input, BillingPlanStore.PlanRow row, bool creating)
    {
        if (input.Code is not null || creating)
        {
            if (input.Code is null || !CodePattern().IsMatch(input.Code))
            {
                errors.Add("code", "is required: 1 to 40 of a-z, 0-9, '-' and '_', starting with a letter or digit.");
            }
        }

        if (input.Name is not null || creating)
        {
            errors.Required("name", input.Name, 200);
        }

        if (creating && input.Currency is null)
        {
            errors.Add("currency", "is required.");
        }

        Prices.CheckCurrency(errors, "currency", input.Currency);
        Prices.CheckMarkup(errors, "aiMarkupPercent", input.AiMarkupPercent);
        if (input.IncludedLeads is < 0)
        {
            errors.Add("includedLeads", "must not be negative.");
        }

        var baseFee = Prices.Parse(errors, "baseFee", input.BaseFee);
        var seatPrice = Prices.Parse(errors, "seatPrice", input.SeatPrice);
        var leadPrice = Prices.Parse(errors, "leadPrice", input.LeadPrice);
        if (creating)
        {
            foreach (var (field, value) in new[] { ("baseFee", input.BaseFee), ("seatPrice", input.SeatPrice), ("leadPrice", input.LeadPrice) })
            {
                if (value is null)
                {
                    errors.Add(field, "is required.");
                }
            }

            if (input.IncludedLeads is null)
            {
                errors.Add("includedLeads", "is required.");
            }
        }

        return row with
        {
            Code = input.Code ?? row.Code,
            Name = input.Name?.Trim() ?? row.Name,
            Currency = input.Currency ?? row.Currency,
            BaseFee = baseFee ?? row.BaseFee,
            SeatPrice = seatPrice ?? row.SeatPrice,
            IncludedLeads = input.IncludedLeads ?? row.IncludedLeads,
            LeadPrice = leadPrice ?? row.LeadPrice,
            AiMarkupRate = input.AiMarkupPercent is { } markup ? markup / 100m : row.AiMarkupRate,
        };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex CodePattern();
}
