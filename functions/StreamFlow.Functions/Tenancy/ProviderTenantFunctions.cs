using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Tenancy;

public sealed record SuspendTenantBody(string? Reason);

/// <summary>The provider creates and manages its client businesses.</summary>
public sealed class ProviderTenantFunctions(RequestBody body, OperatorAuthenticator operators, TenantService tenants, FunctionCatalog catalog)
{
    [Function("CreateTenant")]
    [ApiOperation("Creates a client business with its first owner.", Tag = "Provider", Auth = ApiAuth.Provider,
        RequestBody = typeof(CreateTenantRequest), Response = typeof(Tenant), SuccessStatus = 201, Problems = [409])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await operators.AuthenticateAsync(request, OperatorSystem.Provider);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var create = await body.ReadJsonAsync<CreateTenantRequest>(request, cancellationToken);
        if (!create.Succeeded)
        {
            return ApiResults.Problem(create.Problem, request.HttpContext);
        }

        var created = await tenants.CreateAsync(create.Value, $"provider:{caller.Value.Email}", RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(created, result =>
        {
            request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/provider/tenants/{result.Tenant.Id}";
            return ApiResults.Json(result.Tenant, StatusCodes.Status201Created);
        }, request);
    }

    [Function("ListTenants")]
    [ApiOperation("The client businesses, paged.", Tag = "Provider", Auth = ApiAuth.Provider, Response = typeof(TenantPage))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await operators.AuthenticateAsync(request, OperatorSystem.Provider);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.Json(await tenants.ListAsync(page.Value.Limit, page.Value.Cursor, cancellationToken))
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("GetTenant")]
    [ApiOperation("One client business.", Tag = "Provider", Auth = ApiAuth.Provider, Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = await operators.AuthenticateAsync(request, OperatorSystem.Provider);
        return caller.Succeeded
            ? ApiResults.From(await tenants.GetAsync(id, cancellationToken), tenant => ApiResults.Json(tenant), request)
            : ApiResults.Problem(caller.Problem, request.HttpContext);
    }

    [Function("SuspendTenant")]
    [ApiOperation("Suspends a client business: its users get 403 with the reason; its webhooks and timers pause.", Tag = "Provider",
        Auth = ApiAuth.Provider, RequestBody = typeof(SuspendTenantBody), Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> Suspend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/suspend")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = await operators.AuthenticateAsync(request, OperatorSystem.Provider);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var suspend = await body.ReadJsonAsync<SuspendTenantBody>(request, cancellationToken);
        return suspend.Succeeded
            ? ApiResults.From(await tenants.SuspendAsync(id, suspend.Value.Reason, $"provider:{caller.Value.Email}", RequestOrigins.Of(request), cancellationToken), tenant => ApiResults.Json(tenant), request)
            : ApiResults.Problem(suspend.Problem, request.HttpContext);
    }

    [Function("ResumeTenant")]
    [ApiOperation("Resumes a suspended client business.", Tag = "Provider", Auth = ApiAuth.Provider, Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> Resume(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/resume")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = await operators.AuthenticateAsync(request, OperatorSystem.Provider);
        return caller.Succeeded
            ? ApiResults.From(await tenants.ResumeAsync(id, $"provider:{caller.Value.Email}", RequestOrigins.Of(request), cancellationToken), tenant => ApiResults.Json(tenant), request)
            : ApiResults.Problem(caller.Problem, request.HttpContext);
    }

    [Function("SetTenantRateLimits")]
    [ApiOperation("Sets a client business's API limits: requests per minute for the business and for each of its users.", Tag = "Provider",
        Auth = ApiAuth.Provider, RequestBody = typeof(RateLimitSettings), Response = typeof(Tenant), Problems = [404])]
    public async Task<IResult> SetRateLimits(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/tenants/{id:guid}/rate-limits")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = await operators.AuthenticateAsync(request, OperatorSystem.Provider);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var limits = await body.ReadJsonAsync<RateLimitSettings>(request, cancellationToken);
        return limits.Succeeded
            ? ApiResults.From(await tenants.SetRateLimitsAsync(id, limits.Value, $"provider:{caller.Value.Email}", RequestOrigins.Of(request), cancellationToken), tenant => ApiResults.Json(tenant), request)
            : ApiResults.Problem(limits.Problem, request.HttpContext);
    }
}
