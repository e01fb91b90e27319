using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Pricing;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Billing;

namespace StreamFlow.Functions.Billing;

/// <summary>The body of a provider's "bill this client now": the period's first day (default: the last complete period).</summary>
public sealed record BillingRunBody(DateOnly? PeriodStart);

/// <summary>Provider routes of billing: price plans, each client's pricing, and running a client's billing now.</summary>
public sealed class BillingFunctions(
    RequestBody body,
    BillingPlanService plans,
    TenantPricingService pricing,
    BillingCycleService cycle,
    BillingRunLauncher launcher,
    PlatformOperations operations,
    FunctionCatalog catalog)
{
    [Function("CreateBillingPlan")]
    [ProviderAccess]
    [ApiOperation("Creates a reusable price plan: code, name, currency, baseFee, seatPrice, includedLeads, leadPrice (decimal strings), aiMarkupPercent.",
        Tag = "Provider", RequestBody = typeof(BillingPlanInput), Response = typeof(BillingPlan), SuccessStatus = 201, Problems = [409])]
    public async Task<IResult> CreatePlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/billing/plans")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<BillingPlanInput>(request, cancellationToken);
        return input.Succeeded
            ? ApiResults.From(await plans.CreateAsync(input.Value, cancellationToken), plan => ApiResults.Json(plan, StatusCodes.Status201Created), request)
            : ApiResults.Problem(input.Problem, request.HttpContext);
    }

    [Function("ListBillingPlans")]
    [ProviderAccess]
    [ApiOperation("The price plans by code; archived ones with includeArchived=true.", Tag = "Provider", Response = typeof(BillingPlanList))]
    public async Task<IResult> ListPlans(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/billing/plans")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await plans.ListAsync(string.Equals(request.Query["includeArchived"], "true", StringComparison.OrdinalIgnoreCase), cancellationToken));

    [Function("GetBillingPlan")]
    [ProviderAccess]
    [ApiOperation("One price plan.", Tag = "Provider", Response = typeof(BillingPlan), Problems = [404])]
    public async Task<IResult> GetPlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/billing/plans/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await plans.GetAsync(id, cancellationToken), plan => ApiResults.Json(plan), request);

    [Function("UpdateBillingPlan")]
    [ProviderAccess]
    [ApiOperation("Changes a price plan; missing fields keep their values. Clients already on it keep the prices they were given.",
        Tag = "Provider", RequestBody = typeof(BillingPlanInput), Response = typeof(BillingPlan), Problems = [404, 409])]
    public async Task<IResult> UpdatePlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/billing/plans/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<BillingPlanInput>(request, cancellationToken);
        return input.Succeeded
            ? ApiResults.From(await plans.UpdateAsync(id, input.Value, cancellationToken), plan => ApiResults.Json(plan), request)
            : ApiResults.Problem(input.Problem, request.HttpContext);
    }

    [Function("ArchiveBillingPlan")]
    [ProviderAccess]
    [ApiOperation("Archives a price plan: no longer offered; clients on it keep their prices.", Tag = "Provider",
        Response = typeof(BillingPlan), Problems = [404])]
    public async Task<IResult> ArchivePlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/billing/plans/{id:guid}/archive")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await plans.ArchiveAsync(id, cancellationToken), plan => ApiResults.Json(plan), request);

    [Function("GetTenantPricing")]
    [ProviderAccess]
    [ApiOperation("A client business's price today and its price history, newest first.", Tag = "Provider",
        Response = typeof(TenantPricing), Problems = [404])]
    public async Task<IResult> GetPricing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/pricing")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await pricing.GetAsync(id, cancellationToken), view => ApiResults.Json(view), request);

    [Function("ChangeTenantPricing")]
    [ProviderAccess]
    [ApiOperation("Records a client business's new price from effectiveFrom (default today; never inside an invoiced period): a planId (its values, overridable) or explicit values. The AI markup applies to the AI gateway at once when effective.",
        Tag = "Provider", RequestBody = typeof(PricingChange), Response = typeof(TenantPricing), Problems = [404])]
    public async Task<IResult> ChangePricing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/tenants/{id:guid}/pricing")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var change = await body.ReadJsonAsync<PricingChange>(request, cancellationToken);
        return change.Succeeded
            ? ApiResults.From(await pricing.ChangeAsync(id, change.Value, request.Operator().Email, cancellationToken), view => ApiResults.Json(view), request)
            : ApiResults.Problem(change.Problem, request.HttpContext);
    }

    [Function("StartBillingRun")]
    [ProviderAccess]
    [ApiOperation("Runs a client business's billing now for the period starting on periodStart (default: the last complete period); a run that exists for that period is not started again. 202 with the run's status URL.",
        Tag = "Provider", RequestBody = typeof(BillingRunBody), Response = typeof(OperationAccepted), SuccessStatus = 202, Problems = [404, 422])]
    public async Task<IResult> StartRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/billing-runs")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadOptionalJsonAsync(request, new BillingRunBody(null), cancellationToken);
        var run = input.Succeeded ? await cycle.PlanRunAsync(id, input.Value.PeriodStart, cancellationToken) : input.Problem;
        if (!run.Succeeded)
        {
            return ApiResults.Problem(run.Problem, request.HttpContext);
        }

        // Committed for the outbox dispatcher to start: the answer does not wait on the durable backend.
        var instanceId = await launcher.CommitAsync(run.Value, cancellationToken);
        return OperationUrls.Accepted(request, instanceId, $"{catalog.RoutePrefix}/v1/provider/tenants/{id}/billing-runs/{instanceId}");
    }

    [Function("GetBillingRun")]
    [ProviderAccess]
    [ApiOperation("The status of a client business's billing run: its step, and the invoice once completed.", Tag = "Provider",
        Response = typeof(OperationStatus), Problems = [404])]
    public async Task<IResult> GetRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/billing-runs/{runId}")] HttpRequest request,
        Guid id,
        string runId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var status = BillingRunLauncher.BelongsTo(runId, id)
            ? await PlatformOperationStatus.ReadAsync(operations, durable, runId, [TaskNames.BillingCycle], cancellationToken)
            : null;
        return status is null
            ? ApiResults.Problem(Problem.NotFound("The billing run"), request.HttpContext)
            : ApiResults.Json(status);
    }
}
