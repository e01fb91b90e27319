using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps.Records;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>
/// What is recorded on a visit: checklist, notes, photos and the customer's signature. The office sets checklists and
/// templates; technicians tick, write, photograph and collect the signature on their own visits.
/// </summary>
public sealed class VisitRecordFunctions(RequestBody body, VisitRecordService records)
{
    private static readonly UploadRule Photo = new("A photo", VisitRecordService.MaxPhotoBytes, MediaTypes: [], AcceptsMultipart: true);

    [Function("CreateChecklistTemplate")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("A reusable checklist: name and items (1 to 100 labels, in order).", Tag = "Field operations",
        RequestBody = typeof(ChecklistTemplateInput), Response = typeof(ChecklistTemplate), SuccessStatus = 201, Problems = [403])]
    public Task<IResult> CreateTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/fieldops/checklist-templates")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<ChecklistTemplateInput, ChecklistTemplate>(body, request,
            input => records.CreateTemplateAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("ListChecklistTemplates")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("The business's checklist templates, newest first.", Tag = "Field operations", Response = typeof(ChecklistTemplatePage),
        Query = ["limit", "cursor"], Problems = [403])]
    public Task<IResult> ListTemplates(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/fieldops/checklist-templates")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.PageAsync(request, new ValidationErrors(), page => records.ListTemplatesAsync(FieldActors.Of(request), page.Limit, page.Cursor, cancellationToken));

    [Function("SetJobChecklist")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Sets the job's checklist from items or a templateId; a visit's checklist can then be set fromJob.", Tag = "Field operations",
        RequestBody = typeof(ChecklistInput), Response = typeof(string[]), Problems = [403, 404, 422])]
    public Task<IResult> SetJobChecklist(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/jobs/{id:guid}/checklist")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<ChecklistInput, string[]>(body, request,
            input => records.SetJobChecklistAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("GetVisitRecord")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("The visit's checklist, notes, photos (metadata) and signature; a technician's own visits only (404 otherwise).", Tag = "Field operations",
        Response = typeof(VisitRecord), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/visits/{id:guid}/record")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await records.GetAsync(FieldActors.Of(request), id, cancellationToken), record => ApiResults.Json(record), request);

    [Function("SetVisitChecklist")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Replaces the visit's checklist (all unticked) with exactly one of items, templateId or fromJob: true; 409 once completed or cancelled.",
        Tag = "Field operations", RequestBody = typeof(ChecklistInput), Response = typeof(VisitRecord), Problems = [403, 404, 409, 422])]
    public Task<IResult> SetChecklist(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/visits/{id:guid}/checklist")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<ChecklistInput, VisitRecord>(body, request,
            input => records.SetChecklistAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("TickVisitChecklistItem")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Ticks (done: true) or unticks an item; only a technician assigned to the visit, before it is completed.", Tag = "Field operations",
        RequestBody = typeof(ChecklistTick), Response = typeof(ChecklistItem), Problems = [403, 404, 409])]
    public Task<IResult> Tick(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/visits/{id:guid}/checklist/{itemId:guid}")] HttpRequest request,
        Guid id,
        Guid itemId,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<ChecklistTick, ChecklistItem>(body, request,
            input => records.TickAsync(FieldActors.Of(request), id, itemId, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("AddVisitNote")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Adds a note to the visit (a technician's own visits only).", Tag = "Field operations",
        RequestBody = typeof(VisitNoteInput), Response = typeof(VisitNote), SuccessStatus = 201, Problems = [404])]
    public Task<IResult> AddNote(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/visits/{id:guid}/notes")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<VisitNoteInput, VisitNote>(body, request,
            input => records.AddNoteAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("AddVisitPhoto")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Uploads a photo (image/jpeg, image/png or image/webp whose bytes match, at most 10 MB) as the raw body, or as multipart/form-data with one file part; query caption. At most 50 a visit.",
        Tag = "Field operations", RequestBody = typeof(string), RequestContentType = "multipart/form-data", Response = typeof(VisitPhoto), SuccessStatus = 201,
        Query = ["caption"], Problems = [404, 409, 413, 415])]
    public async Task<IResult> AddPhoto(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/visits/{id:guid}/photos")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caption = request.Query["caption"].ToString();
        if (InputRules.Refusal(caption) is { } refusal)
        {
            return ApiResults.Problem(Problem.Validation("caption", refusal), request.HttpContext);
        }

        var file = await body.ReadFileAsync(request, Photo, cancellationToken);
        var added = file.Succeeded
            ? await records.AddPhotoAsync(FieldActors.Of(request), id,
                new PhotoUpload(file.Value.Content, file.Value.ContentType, file.Value.Length, caption.Length > 0 ? caption : null), cancellationToken)
            : file.Problem;
        return ApiResults.From(added, photo => ApiResults.Json(photo, StatusCodes.Status201Created), request);
    }

    [Function("GetVisitPhoto")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("The photo's bytes with its content type.", Tag = "Field operations", Problems = [404])]
    public async Task<IResult> GetPhoto(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/visits/{id:guid}/photos/{photoId:guid}")] HttpRequest request,
        Guid id,
        Guid photoId,
        CancellationToken cancellationToken) =>
        ApiResults.From(await records.PhotoContentAsync(FieldActors.Of(request), id, photoId, cancellationToken),
            content => TypedResults.File(content.Content.ToArray(), content.ContentType), request);

    [Function("LinkVisitPhoto")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("A read-only link to the photo in Blob storage, valid for 15 minutes (for an image tag or a download).", Tag = "Field operations",
        Response = typeof(ContentLink), Problems = [404])]
    public async Task<IResult> LinkPhoto(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/visits/{id:guid}/photos/{photoId:guid}/link")] HttpRequest request,
        Guid id,
        Guid photoId,
        CancellationToken cancellationToken) =>
        ApiResults.From(await records.PhotoLinkAsync(FieldActors.Of(request), id, photoId, cancellationToken), link => ApiResults.Json(link), request);

    [Function("SignVisit")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Records the customer's signature: signerName and image (base64 PNG or JPEG, at most 512 KB), timed by the server. On site or completed only; once (409 after).",
        Tag = "Field operations", RequestBody = typeof(SignatureInput), Response = typeof(VisitSignature), SuccessStatus = 201, Problems = [404, 409])]
    public Task<IResult> Sign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/visits/{id:guid}/signature")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<SignatureInput, VisitSignature>(body, request,
            input => records.SignAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("GetVisitSignature")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("The signature image with its content type.", Tag = "Field operations", Problems = [404])]
    public async Task<IResult> GetSignature(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/visits/{id:guid}/signature")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await records.SignatureImageAsync(FieldActors.Of(request), id, cancellationToken),
            content => TypedResults.File(content.Content.ToArray(), content.ContentType), request);
}
