using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Leads;

public sealed record LeadBody(
    string? FirstName, string? LastName, string? Company, string? Email, string? Phone, string? Source, string? ExternalId,
    string? PostalCode, string? State, string? City, string? Country, string? Notes, Dictionary<string, JsonElement>? Attributes,
    string? Stage, Guid? OwnerUserId, OutcomeInput? Outcome)
{
    public LeadInput ToInput() => new(FirstName, LastName, Company, Email, Phone, Source, ExternalId, PostalCode, State, City, Country, Notes, Attributes, Stage, OwnerUserId);
}

public sealed record NoteBody(string? Body);

public sealed record ActivityPage(IReadOnlyList<LeadActivity> Items, string? NextCursor);

public sealed record StagesBody(IReadOnlyList<PipelineStage>? Stages);

/// <summary>The leads API of a client business.</summary>
public sealed class LeadFunctions(
    RequestBody body,
    LeadService leads,
    PipelineService pipeline,
    FunctionCatalog catalog)
{
    [Function("CreateLead")]
    [ClientAccess(Permission.LeadsWrite)]
    [ApiOperation("Creates a lead, answered already scored by the rules and the serving model (score: tier, probability, confidence, factors); "
        + "with AI on, an AI re-score follows in the background (lead.scored). A duplicate email or phone is 409 with existingLeadId, or merged with ?merge=true.", Tag = "Leads",
        RequestBody = typeof(LeadBody), Response = typeof(Lead), SuccessStatus = 201, Problems = [403, 409, 422])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/leads")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var lead = await body.ReadJsonAsync<LeadBody>(request, cancellationToken);
        var merge = string.Equals(request.Query["merge"], "true", StringComparison.OrdinalIgnoreCase);
        var created = lead.Succeeded ? await leads.CreateAsync(ActorOf(request.Client()), lead.Value.ToInput(), merge, cancellationToken) : lead.Problem;
        return ApiResults.From(created, result => result.Created ? CreatedAt(request, result.Lead) : ApiResults.Json(result.Lead), request);
    }

    [Function("GetLead")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("One lead, with its score once scored.", Tag = "Leads", Response = typeof(Lead), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await leads.GetAsync(request.Client().TenantId, id, includeDeleted: false, cancellationToken), lead => ApiResults.Json(lead), request);

    [Function("ListLeads")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("Leads, newest first, filtered by stage, tier, source, owner, externalId, exact email or phone (blind index: email and phone are "
        + "stored sealed, so they match exactly, never by substring), created range (createdFrom, createdTo) and a text query q (names and company "
        + "by substring; notes, stored sealed, when they hold every word of q; an exact email or phone also matches).",
        Tag = "Leads", Response = typeof(LeadPage),
        Query = ["stage", "tier", "source", "owner", "externalId", "email", "phone", "createdFrom", "createdTo", "q", "includeDeleted", "limit", "cursor"])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var page = Paging.Read(request);
        var filter = ReadFilter(request, caller.Allows(Permission.LeadsRestore));
        if (!page.Succeeded || !filter.Succeeded)
        {
            return ApiResults.Problem(page.Problem ?? filter.Problem!, request.HttpContext);
        }

        return ApiResults.Json(await leads.ListAsync(caller.TenantId, filter.Value, page.Value.Limit, page.Value.Cursor, cancellationToken));
    }

    [Function("UpdateLead")]
    [ClientAccess(Permission.LeadsWrite)]
    [ApiOperation("Changes a lead: fields, attributes (null removes one), stage, owner, or outcome (won with amount, lost with reason). "
        + "A change to what scoring reads is re-scored before the answer.",
        Tag = "Leads", RequestBody = typeof(LeadBody), Response = typeof(Lead), Problems = [403, 404, 409, 422])]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/leads/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var change = await body.ReadJsonAsync<LeadBody>(request, cancellationToken);
        var updated = change.Succeeded
            ? await leads.UpdateAsync(ActorOf(request.Client()), id, new LeadUpdate(change.Value.ToInput(), change.Value.Outcome), cancellationToken)
            : change.Problem;
        return ApiResults.From(updated, lead => ApiResults.Json(lead), request);
    }

    [Function("DeleteLead")]
    [ClientAccess(Permission.LeadsDelete)]
    [ApiOperation("Deletes a lead (soft: admins can restore it).", Tag = "Leads", SuccessStatus = 204, Problems = [403, 404])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/leads/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await leads.DeleteAsync(ActorOf(request.Client()), id, cancellationToken), _ => TypedResults.NoContent(), request);

    [Function("RestoreLead")]
    [ClientAccess(Permission.LeadsRestore)]
    [ApiOperation("Restores a deleted lead.", Tag = "Leads", Response = typeof(Lead), Problems = [403, 404, 409])]
    public async Task<IResult> Restore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/leads/{id:guid}/restore")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await leads.RestoreAsync(ActorOf(request.Client()), id, cancellationToken), lead => ApiResults.Json(lead), request);

    [Function("AddLeadNote")]
    [ClientAccess(Permission.LeadsWrite)]
    [ApiOperation("Adds a note to the lead's timeline.", Tag = "Leads", RequestBody = typeof(NoteBody),
        Response = typeof(LeadActivity), SuccessStatus = 201, Problems = [404])]
    public async Task<IResult> AddNote(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/leads/{id:guid}/notes")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var note = await body.ReadJsonAsync<NoteBody>(request, cancellationToken);
        return note.Succeeded
            ? ApiResults.From(await leads.AddNoteAsync(ActorOf(request.Client()), id, note.Value.Body, cancellationToken), activity => ApiResults.Json(activity, StatusCodes.Status201Created), request)
            : ApiResults.Problem(note.Problem, request.HttpContext);
    }

    [Function("ListLeadActivities")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The lead's timeline, newest first: notes, stage changes, assignments, scores, outcomes.", Tag = "Leads",
        Response = typeof(ActivityPage), Problems = [404])]
    public async Task<IResult> Activities(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/{id:guid}/activities")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        if (!page.Succeeded)
        {
            return ApiResults.Problem(page.Problem, request.HttpContext);
        }

        var activities = await leads.ActivitiesAsync(request.Client().TenantId, id, page.Value.Limit, page.Value.Cursor, cancellationToken);
        return ApiResults.From(activities, result => ApiResults.Json(new ActivityPage(result.Items, result.NextCursor)), request);
    }

    [Function("ListLeadStageHistory")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("Every stage the lead has been in, oldest first.", Tag = "Leads", Response = typeof(StageChange[]), Problems = [404])]
    public async Task<IResult> StageHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/{id:guid}/stage-history")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await leads.StageHistoryAsync(request.Client().TenantId, id, cancellationToken), history => ApiResults.Json(history), request);

    [Function("ListPipelineStages")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The business's pipeline stages (seeded from its industry).", Tag = "Pipeline", Response = typeof(PipelineStage[]))]
    public async Task<IResult> Stages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/pipeline/stages")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await pipeline.StagesAsync(request.Client().TenantId, cancellationToken));

    [Function("ReplacePipelineStages")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("Replaces the pipeline stages (exactly one won and one lost stage; stages with leads cannot be dropped).", Tag = "Pipeline",
        RequestBody = typeof(StagesBody), Response = typeof(PipelineStage[]), Problems = [403, 422])]
    public async Task<IResult> ReplaceStages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/pipeline/stages")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var stages = await body.ReadJsonAsync<StagesBody>(request, cancellationToken);
        return stages.Succeeded
            ? ApiResults.From(await pipeline.ReplaceAsync(caller.TenantId, stages.Value.Stages, caller.Actor, RequestOrigins.Of(request), cancellationToken), result => ApiResults.Json(result), request)
            : ApiResults.Problem(stages.Problem, request.HttpContext);
    }

    private IResult CreatedAt(HttpRequest request, Lead lead)
    {
        request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/leads/{lead.Id}";
        return ApiResults.Json(lead, StatusCodes.Status201Created);
    }

    private static LeadActor ActorOf(ClientPrincipal principal) => new(principal.TenantId, principal.Actor, principal.Allows(Permission.LeadsAssign));

    private static Result<LeadFilter> ReadFilter(HttpRequest request, bool mayIncludeDeleted)
    {
        var query = request.Query;
        var errors = new ValidationErrors();
        Guid? owner = null;
        if (query["owner"].ToString() is { Length: > 0 } ownerText)
        {
            owner = Guid.TryParse(ownerText, out var parsed) ? parsed : null;
            if (owner is null)
            {
                errors.Add("owner", "must be a user id.");
            }
        }

        DateTimeOffset? Date(string name)
        {
            var text = query[name].ToString();
            if (text.Length == 0)
            {
                return null;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                return value;
            }

            errors.Add(name, "must be an ISO-8601 date or time.");
            return null;
        }

        var email = NullIfEmpty(query["email"]);
        if (email is { Length: > 320 })
        {
            errors.Add("email", "must be at most 320 characters.");
        }

        var phone = NullIfEmpty(query["phone"]);
        if (phone is not null && LeadValidation.NormalizePhone(phone) is null)
        {
            errors.Add("phone", "must be a phone number of 7 to 15 digits, optionally starting with +.");
        }

        var tier = query["tier"].ToString();
        if (tier.Length > 0 && tier is not ("hot" or "warm" or "cold"))
        {
            errors.Add("tier", "must be hot, warm or cold.");
        }

        var filter = new LeadFilter(
            NullIfEmpty(query["stage"]), NullIfEmpty(query["tier"]), NullIfEmpty(query["source"]), owner, NullIfEmpty(query["externalId"]),
            Date("createdFrom"), Date("createdTo"), NullIfEmpty(query["q"]) is { Length: <= 200 } q ? q : null,
            mayIncludeDeleted && string.Equals(query["includeDeleted"], "true", StringComparison.OrdinalIgnoreCase))
        {
            Email = email,
            Phone = phone,
        };
        return errors.ToProblem() is { } problem ? problem : filter;
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;
}
