using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Branding;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Branding;

/// <summary>
/// White-label branding (docs/branding.md): a business's owner sets its own brand, the provider sets any business's and
/// its own, which is every business's default. Every mail StreamFlow sends wears the resolved brand.
/// </summary>
public sealed class BrandingFunctions(RequestBody body, BrandService brands)
{
    private const string LogoSummary = "The logo, sent as the raw body: image/png or image/jpeg (checked by its magic bytes, 16–2048 px a side) or "
        + "image/svg+xml (refused, not cleaned, when it holds scripts, event handlers or references outside the document), at most 512 KB. Audited.";

    // A preview is HTML built from the brand: nothing in it may run, load from elsewhere or be framed.
    private const string PreviewPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'";

    [Function("GetBranding")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("The business's brand: what it chose (own) and what its mail uses once the provider's defaults fill the gaps (effective).",
        Tag = "Settings", Response = typeof(BrandView))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/branding")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await brands.GetAsync(request.Client().TenantId, cancellationToken), view => ApiResults.Json(view), request);

    [Function("UpdateBranding")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("Replaces the business's brand (a member left out or null falls back to the provider's): displayName, primaryColor and "
        + "accentColor (#RRGGBB), senderName, replyTo, footer. The logo is kept. Audited as branding.changed.",
        Tag = "Settings", RequestBody = typeof(BrandChange), Response = typeof(BrandView))]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/branding")] HttpRequest request,
        CancellationToken cancellationToken) =>
        UpdateAsync(request, request.Client().TenantId, ClientActor(request), cancellationToken);

    [Function("SetBrandingLogo")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation(LogoSummary, Tag = "Settings", RequestBody = typeof(string), RequestContentType = "image/png", Response = typeof(BrandView))]
    public Task<IResult> SetLogo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/branding/logo")] HttpRequest request,
        CancellationToken cancellationToken) =>
        SetLogoAsync(request, request.Client().TenantId, ClientActor(request), cancellationToken);

    [Function("RemoveBrandingLogo")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("Removes the business's logo (the provider's shows again). Audited.", Tag = "Settings", Response = typeof(BrandView))]
    public async Task<IResult> RemoveLogo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/branding/logo")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await brands.RemoveLogoAsync(request.Client().TenantId, ClientActor(request), cancellationToken), view => ApiResults.Json(view), request);

    [Function("PreviewBranding")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("One kind of mail with sample content in the business's brand, as text/html (kinds: invitation, password-reset, report, "
        + "invoice, payment-reminder, quote, technician-schedule, task-reminder, workflow-email, admin-alert).", Tag = "Settings", Problems = [404])]
    public Task<IResult> Preview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/branding/previews/{kind}")] HttpRequest request,
        string kind,
        CancellationToken cancellationToken) =>
        PreviewAsync(request, request.Client().TenantId, kind, cancellationToken);

    [Function("GetProviderBranding")]
    [ProviderAccess]
    [ApiOperation("The provider's own brand: the default of every business's mail.", Tag = "Provider", Response = typeof(BrandView))]
    public async Task<IResult> GetProvider(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/branding")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await brands.GetAsync(null, cancellationToken), view => ApiResults.Json(view), request);

    [Function("UpdateProviderBranding")]
    [ProviderAccess]
    [ApiOperation("Replaces the provider's brand, every business's default (a null member falls back to the built-in StreamFlow brand). Audited.",
        Tag = "Provider", RequestBody = typeof(BrandChange), Response = typeof(BrandView))]
    public Task<IResult> UpdateProvider(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/branding")] HttpRequest request,
        CancellationToken cancellationToken) =>
        UpdateAsync(request, null, ProviderActor(request), cancellationToken);

    [Function("SetProviderBrandingLogo")]
    [ProviderAccess]
    [ApiOperation(LogoSummary, Tag = "Provider", RequestBody = typeof(string), RequestContentType = "image/png", Response = typeof(BrandView))]
    public Task<IResult> SetProviderLogo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/branding/logo")] HttpRequest request,
        CancellationToken cancellationToken) =>
        SetLogoAsync(request, null, ProviderActor(request), cancellationToken);

    [Function("PreviewProviderBranding")]
    [ProviderAccess]
    [ApiOperation("One kind of mail with sample content in the provider's brand, as text/html.", Tag = "Provider", Problems = [404])]
    public Task<IResult> PreviewProvider(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/branding/previews/{kind}")] HttpRequest request,
        string kind,
        CancellationToken cancellationToken) =>
        PreviewAsync(request, null, kind, cancellationToken);

    [Function("GetTenantBranding")]
    [ProviderAccess]
    [ApiOperation("One business's brand, own and effective.", Tag = "Provider", Response = typeof(BrandView), Problems = [404])]
    public async Task<IResult> GetTenant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/branding")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await brands.GetAsync(id, cancellationToken), view => ApiResults.Json(view), request);

    [Function("UpdateTenantBranding")]
    [ProviderAccess]
    [ApiOperation("Replaces one business's brand on its behalf. Audited in the business's trail with the provider's identity.",
        Tag = "Provider", RequestBody = typeof(BrandChange), Response = typeof(BrandView), Problems = [404])]
    public Task<IResult> UpdateTenant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/tenants/{id:guid}/branding")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        UpdateAsync(request, id, ProviderActor(request), cancellationToken);

    [Function("SetTenantBrandingLogo")]
    [ProviderAccess]
    [ApiOperation(LogoSummary, Tag = "Provider", RequestBody = typeof(string), RequestContentType = "image/png", Response = typeof(BrandView), Problems = [404])]
    public Task<IResult> SetTenantLogo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/tenants/{id:guid}/branding/logo")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        SetLogoAsync(request, id, ProviderActor(request), cancellationToken);

    [Function("PreviewTenantBranding")]
    [ProviderAccess]
    [ApiOperation("One kind of mail with sample content in one business's brand, as text/html.", Tag = "Provider", Problems = [404])]
    public Task<IResult> PreviewTenant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/branding/previews/{kind}")] HttpRequest request,
        Guid id,
        string kind,
        CancellationToken cancellationToken) =>
        PreviewAsync(request, id, kind, cancellationToken);

    private async Task<IResult> UpdateAsync(HttpRequest request, Guid? tenantId, BrandActor actor, CancellationToken cancellationToken)
    {
        var change = await body.ReadJsonAsync<BrandChange>(request, cancellationToken);
        var updated = change.Succeeded ? await brands.UpdateAsync(tenantId, actor, change.Value, cancellationToken) : change.Problem;
        return ApiResults.From(updated, view => ApiResults.Json(view), request);
    }

    private async Task<IResult> SetLogoAsync(HttpRequest request, Guid? tenantId, BrandActor actor, CancellationToken cancellationToken)
    {
        if (request.ContentLength > LogoInspector.MaxBytes)
        {
            return ApiResults.Problem(new Problem(ProblemKind.PayloadTooLarge, $"The logo may be at most {LogoInspector.MaxBytes / 1024} KB."), request.HttpContext);
        }

        var content = await body.ReadBytesAsync(request, cancellationToken);
        var saved = content.Succeeded ? await brands.SetLogoAsync(tenantId, actor, content.Value, request.ContentType, cancellationToken) : content.Problem;
        return ApiResults.From(saved, view => ApiResults.Json(view), request);
    }

    private async Task<IResult> PreviewAsync(HttpRequest request, Guid? tenantId, string kind, CancellationToken cancellationToken) =>
        ApiResults.From(await brands.PreviewAsync(tenantId, kind, cancellationToken), page =>
        {
            request.HttpContext.Response.Headers.ContentSecurityPolicy = PreviewPolicy;
            return TypedResults.Text(page.Html, "text/html; charset=utf-8");
        }, request);

    private static BrandActor ClientActor(HttpRequest request) =>
        new(AuditSystem.Client, request.Client().Actor, RequestOrigins.Of(request));

    private static BrandActor ProviderActor(HttpRequest request) =>
        new(AuditSystem.Provider, $"provider:{request.Operator().Email}", RequestOrigins.Of(request));
}
