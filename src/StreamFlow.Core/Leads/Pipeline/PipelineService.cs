using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Leads.Pipeline;

/// <summary>A tenant's pipeline stages: seeded from its industry on first use, replaceable as a whole.</summary>
public sealed partial class PipelineService(StreamFlowDatabase database, TenantService tenants, AuditLog audit)
{
    public async Task<IReadOnlyList<PipelineStage>> StagesAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var stages = await database.InTenantAsync(tenantId, scope => PipelineStageStore.ListAsync(scope), cancellationToken);
        if (stages.Count > 0)
        {
            return stages;
        }

        var tenant = (await tenants.GetAsync(tenantId, cancellationToken)).Value!;
        return await database.InTenantAsync(tenantId, async scope =>
        {
            foreach (var stage in DefaultPipelines.For(tenant.Industry))
            {
                await PipelineStageStore.UpsertAsync(scope, tenantId, stage.Key, stage.Name, stage.Position, stage.Kind);
            }

            return await PipelineStageStore.ListAsync(scope);
        }, cancellationToken);
    }

    /// <summary>The stages read inside the caller's transaction (one round trip once they exist; seeded on first use).</summary>
    internal async Task<IReadOnlyList<PipelineStage>> StagesAsync(DbTransactionScope scope, Guid tenantId)
    {
        var stages = await PipelineStageStore.ListAsync(scope);
        return stages.Count > 0 ? stages : await StagesAsync(tenantId, scope.CancellationToken);
    }

    /// <summary><see cref="StagesAsync(DbTransactionScope, Guid)"/> riding with the scope's next round trip: await it after that.</summary>
    internal async Task<IReadOnlyList<PipelineStage>> StagesLaterAsync(DbTransactionScope scope, Guid tenantId)
    {
        var stages = await PipelineStageStore.ListLaterAsync(scope);
        return stages.Count > 0 ? stages : await StagesAsync(tenantId, scope.CancellationToken);
    }

    /// <summary>Replaces the stages; a stage that leads are in cannot be dropped, and exactly one won and one lost stage remain.</summary>
    public async Task<Result<IReadOnlyList<PipelineStage>>> ReplaceAsync(Guid tenantId, IReadOnlyList<PipelineStage>? stages, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (stages is null || stages.Count is < 3 or > 30)
        {
            errors.Add("stages", "must list 3 to 30 stages.");
            return errors.ToProblem()!;
        }

        for (var i = 0; i < stages.Count; i++)
        {
            if (stages[i].Key is null || !KeyPattern().IsMatch(stages[i].Key))
            {
                errors.Add($"stages[{i}].key", "must be 1-40 lowercase letters, digits or underscores.");
            }

            errors.Required($"stages[{i}].name", stages[i].Name, 100);
            if (stages[i].Kind is not (StageKind.Open or StageKind.Won or StageKind.Lost))
            {
                errors.Add($"stages[{i}].kind", "must be open, won or lost.");
            }
        }

        if (stages.Select(s => s.Key).Distinct(StringComparer.Ordinal).Count() != stages.Count)
        {
            errors.Add("stages", "keys must be unique.");
        }

        if (stages.Count(s => s.Kind == StageKind.Won) != 1 || stages.Count(s => s.Kind == StageKind.Lost) != 1)
        {
            errors.Add("stages", "must contain exactly one won and one lost stage.");
        }

        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            var keys = stages.Select(s => s.Key).ToArray();
            var inUse = (await PipelineStageStore.StagesInUseAsync(scope)).Except(keys).ToList();
            if (inUse.Count > 0)
            {
                return (Result<IReadOnlyList<PipelineStage>>)new Problem(ProblemKind.Unprocessable,
                    $"Leads are still in the stages {string.Join(", ", inUse)}: move them before removing those stages.");
            }

            await PipelineStageStore.DeleteAllExceptAsync(scope, keys);
            for (var i = 0; i < stages.Count; i++)
            {
                await PipelineStageStore.UpsertAsync(scope, tenantId, stages[i].Key, stages[i].Name.Trim(), i + 1, stages[i].Kind);
            }

            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, actor, "pipeline.stages.replaced", $"tenant:{tenantId}", AuditOutcome.Succeeded, origin,
                new JsonObject { ["stages"] = string.Join(",", keys) }));
            return Result<IReadOnlyList<PipelineStage>>.Success(await PipelineStageStore.ListAsync(scope));
        }, cancellationToken);
    }

    [GeneratedRegex("^[a-z0-9_]{1,40}$")]
    private static partial Regex KeyPattern();
}
