using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Templates;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Tenancy;

public sealed record SuspendTenantBody(string? Reason);

/// <summary>The provider creates and manages its client businesses.</summary>
public sealed class ProviderTenantFunctions(RequestBody body, TenantService tenants, TemplateService templates, FunctionCatalog catalog)
{
    [Function("CreateTenant")]
    [ProviderAccess]
    [ApiOperation("Creates a client business with its first owner, and applies its industry's template unless applyTemplate is false.", Tag = "Provider",
        RequestBody = typeof(CreateTenantRequest), Response = typeof(Tenant), SuccessStatus = 201, Problems = [409])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var create = await body.ReadJsonAsync<CreateTenantRequest>(request, cancellationToken);
        var actor = $"provider:{request.Operator().Email}";
        var created = create.Succeeded ? await tenants.CreateAsync(create.Value, actor, RequestOrigins.Of(request), cancellationToken) : create.Problem;
        if (created is { Succeeded: true } && create.Value!.ApplyTemplate != false)
        {
            // The industry's template, as the business starts: workflows arrive disabled (docs/workflows.md, "Industry templates").
            await templates.ApplyAsync(created.Value!.Tenant.Id, created.Value.Tenant.Industry, actor, RequestOrigins.Of(request), write: true, cancellationToken);
        }

        return ApiResults.From(created, result =>
        {
            request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/provider/tenants/{result.Tenant.Id}";
            return ApiResults.Json(result.Tenant, StatusCodes.Status201Created);
        }, request);
    }

    [Function("ListTenants")]
    [ProviderAccess]
    [ApiOperation("The client businesses, paged.", Tag = "Provider", Response = typeof(TenantPage))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.Json(await tenants.ListAsync(page.Value.Limit, page.Value.Cursor, cancellationToken))
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("GetTenant")]
    [ProviderAccess]
    [ApiOperation("One client business.", Tag = "Provider", Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await tenants.GetAsync(id, cancellationToken), tenant => ApiResults.Json(tenant), request);

    [Function("SuspendTenant")]
    [ProviderAccess]
    [ApiOperation("Suspends a client business: its users get 403 with the reason; its webhooks and timers pause.", Tag = "Provider",
        RequestBody = typeof(SuspendTenantBody), Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> Suspend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/suspend")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var suspend = await body.ReadJsonAsync<SuspendTenantBody>(request, cancellationToken);
        return suspend.Succeeded
            ? ApiResults.From(await tenants.SuspendAsync(id, suspend.Value.Reason, $"provider:{request.Operator().Email}", RequestOrigins.Of(request), cancellationToken), tenant => ApiResults.Json(tenant), request)
            : ApiResults.Problem(suspend.Problem, request.HttpContext);
    }

    [Function("ResumeTenant")]
    [ProviderAccess]
    [ApiOperation("Resumes a suspended client business.", Tag = "Provider", Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> Resume(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/resume")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await tenants.ResumeAsync(id, $"provider:{request.Operator().Email}", RequestOrigins.Of(request), cancellationToken), tenant => ApiResults.Json(tenant), request);

    [Function("SetTenantRateLimits")]
    [ProviderAccess]
    [ApiOperation("Sets a client business's API limits: requests per minute for the business and for each of its users.", Tag = "Provider",
        RequestBody = typeof(RateLimitSettings), Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> SetRateLimits(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/tenants/{id:guid}/rate-limits")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var limits = await body.ReadJsonAsync<RateLimitSettings>(request, cancellationToken);
        return limits.Succeeded
            ? ApiResults.From(await tenants.SetRateLimitsAsync(id, limits.Value, $"provider:{request.Operator().Email}", RequestOrigins.Of(request), cancellationToken), tenant => ApiResults.Json(tenant), request)
            : ApiResults.Problem(limits.Problem, request.HttpContext);
    }
}
