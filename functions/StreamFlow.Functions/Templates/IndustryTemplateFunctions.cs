using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Tasks;
using StreamFlow.Core.Templates;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Templates;

/// <summary>Industry templates: what a business of a trade starts with, read and applied (docs/workflows.md, "Industry templates").</summary>
public sealed class IndustryTemplateFunctions(TemplateService templates)
{
    [Function("ListIndustryTemplates")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("The industry templates (HVAC, plumbing, electrical, roofing, landscaping, general contractor, government contracting) and how much each brings.",
        Tag = "Templates", Response = typeof(IndustryTemplateList))]
    public IResult List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/industry-templates")] HttpRequest request) =>
        ApiResults.Json(TemplateService.List());

    [Function("GetIndustryTemplate")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("One industry template whole: pipeline stages, custom fields, task templates, default settings and workflows.",
        Tag = "Templates", Response = typeof(IndustryTemplate), Problems = [404])]
    public IResult Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/industry-templates/{id}")] HttpRequest request,
        string id) =>
        ApiResults.From(TemplateService.Get(id), template => ApiResults.Json(template), request);

    [Function("PreviewIndustryTemplate")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("What applying the template would do to this business, item by item (added, kept, skipped, invalid), without writing anything.",
        Tag = "Templates", Response = typeof(TemplateApplication), Problems = [403, 404])]
    public async Task<IResult> Preview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/industry-templates/{id}/preview")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        return ApiResults.From(await templates.ApplyAsync(caller.TenantId, id, caller.Actor, RequestOrigins.Of(request), write: false, cancellationToken),
            application => ApiResults.Json(application), request);
    }

    [Function("ApplyIndustryTemplate")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("Applies the template: adds what the business does not have and keeps what it has or changed; applying again adds nothing twice. "
        + "Workflows arrive disabled. Each item's outcome is in the answer; audited as template.applied.",
        Tag = "Templates", Response = typeof(TemplateApplication), Problems = [403, 404])]
    public async Task<IResult> Apply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/industry-templates/{id}/apply")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        return ApiResults.From(await templates.ApplyAsync(caller.TenantId, id, caller.Actor, RequestOrigins.Of(request), write: true, cancellationToken),
            application => ApiResults.Json(application), request);
    }

    [Function("ListTaskTemplates")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The business's task templates by key: title, priority, due in business minutes (createTask steps may name one as taskTemplate).",
        Tag = "Tasks", Response = typeof(TaskTemplateList))]
    public async Task<IResult> TaskTemplates(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/task-templates")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await templates.TaskTemplatesAsync(request.Client().TenantId, cancellationToken));
}
