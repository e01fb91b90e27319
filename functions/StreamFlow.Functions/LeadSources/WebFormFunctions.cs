using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.LeadSources.WebForms;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.LeadSources;

/// <summary>The same answer whether or not the submission was stored, so that a bot learns nothing from it.</summary>
public sealed record FormReceipt(string Status);

/// <summary>Web forms: owners and admins manage them; websites post their visitors' submissions to the public intake (docs/lead-sources.md).</summary>
public sealed class WebFormFunctions(RequestBody body, WebFormService forms, WebFormIntake intake, FunctionCatalog catalog)
{
    [Function("SubmitWebForm")]
    [AnonymousAccess("A website's visitors post forms without credentials; the form key names the form, and its origins, honeypot, captcha and per-address limit guard it.")]
    [ApiOperation("Receives a form submission (form-encoded or a flat JSON object, at most 16 KB) and creates or merges a lead; 202 whether or not it was stored.",
        Tag = "Lead sources", RequestBody = typeof(Dictionary<string, string>), Response = typeof(FormReceipt),
        SuccessStatus = 202, Problems = [403, 404, 429, 503])]
    public async Task<IResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/forms/{formKey}/submissions")] HttpRequest request,
        string formKey,
        CancellationToken cancellationToken)
    {
        // The lead service scores the lead in its own transaction and queues any AI re-score in the work outbox:
        // nothing here waits on the durable backend.
        var fields = await FormFields.ReadAsync(request, cancellationToken);
        var origin = request.Headers.Origin.ToString() is { Length: > 0 } sent ? sent : null;
        var outcome = fields.Succeeded
            ? await intake.SubmitAsync(new WebFormSubmission(formKey, fields.Value, origin, request.HttpContext.Connection.RemoteIpAddress?.ToString()), cancellationToken)
            : fields.Problem;
        return ApiResults.From(outcome, received => Received(request, received.AllowedOrigin), request);
    }

    [Function("CreateWebForm")]
    [ClientAccess(Permission.LeadSourcesManage)]
    [ApiOperation("Creates a web form with its public form key, field mapping, allowed origins, honeypot and optional captcha (hcaptcha or turnstile).",
        Tag = "Lead sources", RequestBody = typeof(CreateWebForm), Response = typeof(WebFormView), SuccessStatus = 201, Problems = [403])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/lead-sources/web-forms")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var create = await body.ReadJsonAsync<CreateWebForm>(request, cancellationToken);
        var created = create.Succeeded ? await forms.CreateAsync(request.Client().TenantId, create.Value, cancellationToken) : create.Problem;
        return ApiResults.From(created, form =>
        {
            request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/lead-sources/web-forms/{form.Id}";
            return ApiResults.Json(form, StatusCodes.Status201Created);
        }, request);
    }

    [Function("ListWebForms")]
    [ClientAccess(Permission.LeadSourcesManage)]
    [ApiOperation("The business's web forms, newest first.", Tag = "Lead sources", Response = typeof(WebFormPage), Query = ["limit", "cursor"], Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/lead-sources/web-forms")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        var listed = page.Succeeded ? await forms.ListAsync(request.Client().TenantId, page.Value.Limit, page.Value.Cursor, cancellationToken) : page.Problem;
        return ApiResults.From(listed, result => ApiResults.Json(result), request);
    }

    [Function("GetWebForm")]
    [ClientAccess(Permission.LeadSourcesManage)]
    [ApiOperation("One web form (never its captcha secret).", Tag = "Lead sources", Response = typeof(WebFormView), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/lead-sources/web-forms/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await forms.GetAsync(request.Client().TenantId, id, cancellationToken), form => ApiResults.Json(form), request);

    [Function("DeleteWebForm")]
    [ClientAccess(Permission.LeadSourcesManage)]
    [ApiOperation("Deletes a web form: its key stops accepting submissions; the leads it created stay.", Tag = "Lead sources", SuccessStatus = 204, Problems = [403, 404])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/lead-sources/web-forms/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await forms.DeleteAsync(request.Client().TenantId, id, cancellationToken), _ => TypedResults.NoContent(), request);

    private static IResult Received(HttpRequest request, string? allowedOrigin)
    {
        if (allowedOrigin is not null)
        {
            request.HttpContext.Response.Headers.AccessControlAllowOrigin = allowedOrigin;
            request.HttpContext.Response.Headers.Vary = "Origin";
        }

        return ApiResults.Json(new FormReceipt("received"), StatusCodes.Status202Accepted);
    }
}
