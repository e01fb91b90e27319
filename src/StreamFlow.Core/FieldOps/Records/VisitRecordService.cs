using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.FieldOps.Records;

/// <summary>
/// What is recorded on a visit: its checklist (set by the office from explicit items, a template or the job; ticked by
/// a technician assigned to the visit), notes, photos (content in Blob storage, checked to be the image its type says)
/// and the customer's signature, given once, while on site or after completion. Without FieldOpsManage a caller reaches
/// only the visits of their own technician (404 otherwise).
/// </summary>
public sealed class VisitRecordService(StreamFlowDatabase database, BlobServiceClient blobs, TimeProvider timeProvider)
{
    public const int MaxChecklistItems = 100;
    public const int MaxPhotoBytes = 10 * 1024 * 1024;
    public const int MaxSignatureBytes = 512 * 1024;
    public const int MaxPhotosPerVisit = 50;
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(15);

    // ---- checklist templates ----

    public async Task<Result<ChecklistTemplate>> CreateTemplateAsync(FieldActor actor, ChecklistTemplateInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Required("name", input.Name, 200);
        var items = Labels(input.Items, "items", errors, required: true);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var id = Guid.CreateVersion7();
        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            await VisitRecordStore.InsertTemplateAsync(scope, actor.TenantId, id, input.Name!.Trim(), items, actor.Actor, timeProvider.GetUtcNow());
            return (Result<ChecklistTemplate>)(await VisitRecordStore.TemplateAsync(scope, id))!.ToTemplate();
        }, cancellationToken);
    }

    public async Task<Result<ChecklistTemplatePage>> ListTemplatesAsync(FieldActor actor, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var before = FieldOpsCursor.Read(cursor);
        if (!before.Succeeded)
        {
            return before.Problem;
        }

        var rows = await database.InTenantAsync(actor.TenantId, scope => VisitRecordStore.TemplatesAsync(scope, before.Value, limit + 1), cancellationToken);
        return new ChecklistTemplatePage([.. rows.Take(limit).Select(t => t.ToTemplate())], FieldOpsCursor.Next(rows, limit, t => t.Id));
    }

    /// <summary>Sets a job's checklist from items or a template (fromJob makes no sense here: 400).</summary>
    public async Task<Result<string[]>> SetJobChecklistAsync(FieldActor actor, Guid jobId, ChecklistInput input, CancellationToken cancellationToken)
    {
        if (input.FromJob is true)
        {
            return Problem.Validation("fromJob", "applies to a visit's checklist only: send items or templateId.");
        }

        var errors = new ValidationErrors();
        var explicitItems = CheckSource(input, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var labels = await ResolveAsync(scope, input, explicitItems, jobId: null);
            if (!labels.Succeeded)
            {
                return labels.Problem;
            }

            return await VisitRecordStore.SetJobChecklistAsync(scope, jobId, labels.Value!, timeProvider.GetUtcNow())
                ? (Result<string[]>)labels.Value!
                : Problem.NotFound("The job");
        }, cancellationToken);
    }

    /// <summary>Replaces a visit's checklist (every item unticked) from items, a template or the job; 409 once the visit is completed or cancelled.</summary>
    public async Task<Result<VisitRecord>> SetChecklistAsync(FieldActor actor, Guid visitId, ChecklistInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var explicitItems = CheckSource(input, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var visit = await VisitStore.LockAsync(scope, visitId);
            if (visit is null)
            {
                return (Result<VisitRecord>)Problem.NotFound("The visit");
            }

            if (visit.Status is VisitStatus.Completed or VisitStatus.Cancelled)
            {
                return Problem.Conflict($"The visit is {visit.Status}: its checklist can no longer change.");
            }

            var labels = await ResolveAsync(scope, input, explicitItems, visit.JobId);
            if (!labels.Succeeded)
            {
                return labels.Problem;
            }

            await VisitRecordStore.ReplaceChecklistAsync(scope, actor.TenantId, visitId, labels.Value!);
            return await RecordAsync(scope, visitId);
        }, cancellationToken);
    }

    /// <summary>Ticks or unticks one item. Only a technician assigned to the visit does (a dispatcher who is not is a 403), and only before completion.</summary>
    public async Task<Result<ChecklistItem>> TickAsync(FieldActor actor, Guid visitId, Guid itemId, ChecklistTick tick, CancellationToken cancellationToken)
    {
        if (tick.Done is not { } done)
        {
            return Problem.Validation("done", "is required: true ticks the item, false unticks it.");
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var access = await VisitForAsync(scope, actor, visitId, lockRow: true);
            if (!access.Succeeded)
            {
                return access.Problem;
            }

            var (visit, technician) = access.Value;
            if (technician is null || !visit.TechnicianIds.Contains(technician.Value))
            {
                return (Result<ChecklistItem>)Problem.Forbidden("Only a technician assigned to the visit ticks its checklist.");
            }

            if (visit.Status is VisitStatus.Completed or VisitStatus.Cancelled)
            {
                return Problem.Conflict($"The visit is {visit.Status}: its checklist can no longer change.");
            }

            var item = await VisitRecordStore.TickAsync(scope, visitId, itemId, done, technician.Value, timeProvider.GetUtcNow());
            return item is null ? Problem.NotFound("The checklist item") : item.ToItem();
        }, cancellationToken);
    }

    // ---- notes ----

    public async Task<Result<VisitNote>> AddNoteAsync(FieldActor actor, Guid visitId, VisitNoteInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Required("text", input.Text, 10_000);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var access = await VisitForAsync(scope, actor, visitId, lockRow: false);
            if (!access.Succeeded)
            {
                return access.Problem;
            }

            var id = Guid.CreateVersion7();
            var now = timeProvider.GetUtcNow();
            await VisitRecordStore.InsertNoteAsync(scope, actor.TenantId, visitId, id, actor.Actor, input.Text!.Trim(), now);
            return (Result<VisitNote>)new VisitNote(id, actor.Actor, input.Text!.Trim(), now);
        }, cancellationToken);
    }

    // ---- photos ----

    /// <summary>Stores a photo: JPEG, PNG or WebP whose bytes are what its type says, at most 10 MB; 415 or 413 otherwise.</summary>
    public async Task<Result<VisitPhoto>> AddPhotoAsync(FieldActor actor, Guid visitId, PhotoUpload upload, CancellationToken cancellationToken)
    {
        var declared = (upload.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (declared is not ("image/jpeg" or "image/png" or "image/webp"))
        {
            return new Problem(ProblemKind.UnsupportedMediaType, "Send the photo as image/jpeg, image/png or image/webp.");
        }

        if (upload.Caption is { Length: > 500 })
        {
            return Problem.Validation("caption", "must be at most 500 characters.");
        }

        if (upload.Length > MaxPhotoBytes)
        {
            return TooLarge("A photo", MaxPhotoBytes);
        }

        var content = await ReadLimitedAsync(upload.Content, MaxPhotoBytes, cancellationToken);
        if (content is null)
        {
            return TooLarge("A photo", MaxPhotoBytes);
        }

        if (content.Length == 0)
        {
            return Problem.Validation("file", "is empty.");
        }

        if (ImageTypes.Sniff(content) != declared)
        {
            return new Problem(ProblemKind.UnsupportedMediaType, $"The content is not an {declared} image, as its type says it is.");
        }

        var access = await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var found = await VisitForAsync(scope, actor, visitId, lockRow: false);
            return found.Succeeded && await VisitRecordStore.PhotoCountAsync(scope, visitId) >= MaxPhotosPerVisit
                ? Problem.Conflict($"A visit holds at most {MaxPhotosPerVisit} photos.")
                : found;
        }, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Problem;
        }

        var id = Guid.CreateVersion7();
        var blobName = $"visits/{actor.TenantId}/{visitId}/photos/{id}{ImageTypes.Extension(declared)}";
        await Container().GetBlobClient(blobName).UploadAsync(new BinaryData(content), overwrite: true, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var caption = string.IsNullOrWhiteSpace(upload.Caption) ? null : upload.Caption.Trim();
        await database.InTenantAsync(actor.TenantId, async scope =>
        {
            await VisitRecordStore.InsertPhotoAsync(scope, actor.TenantId, visitId, id, blobName, declared, content.Length, SHA256.HashData(content), caption, actor.Actor, now);
            return true;
        }, cancellationToken);
        return new VisitPhoto(id, declared, content.Length, caption, actor.Actor, now);
    }

    /// <summary>A photo's bytes, for a caller who may see the visit.</summary>
    public async Task<Result<StoredContent>> PhotoContentAsync(FieldActor actor, Guid visitId, Guid photoId, CancellationToken cancellationToken)
    {
        var photo = await PhotoAsync(actor, visitId, photoId, cancellationToken);
        if (!photo.Succeeded)
        {
            return photo.Problem;
        }

        var content = await Container().GetBlobClient(photo.Value.BlobName).DownloadContentAsync(cancellationToken);
        return new StoredContent(content.Value.Content, photo.Value.ContentType);
    }

    /// <summary>A read-only link to the photo in Blob storage, valid for <see cref="LinkLifetime"/>.</summary>
    public async Task<Result<ContentLink>> PhotoLinkAsync(FieldActor actor, Guid visitId, Guid photoId, CancellationToken cancellationToken)
    {
        var photo = await PhotoAsync(actor, visitId, photoId, cancellationToken);
        return photo.Succeeded ? await LinkAsync(photo.Value.BlobName, photo.Value.ContentType, cancellationToken) : photo.Problem;
    }

    // ---- signature ----

    /// <summary>
    /// Records the customer's signature (a PNG or JPEG image, base64, at most 512 KB, and the signer's name) with the
    /// server's time. Only while the visit is on site or completed, and only once (409 the second time).
    /// </summary>
    public async Task<Result<VisitSignature>> SignAsync(FieldActor actor, Guid visitId, SignatureInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Required("signerName", input.SignerName, 200);
        byte[] image = [];
        string? contentType = null;
        if (string.IsNullOrWhiteSpace(input.Image))
        {
            errors.Add("image", "is required: the signature as a base64 PNG or JPEG image.");
        }
        else if (input.Image.Length > (MaxSignatureBytes / 3 * 4) + 8)
        {
            errors.Add("image", $"must be at most {MaxSignatureBytes / 1024} KB.");
        }
        else
        {
            try
            {
                image = Convert.FromBase64String(input.Image);
                contentType = ImageTypes.Sniff(image);
                if (contentType is not ("image/png" or "image/jpeg"))
                {
                    errors.Add("image", "is not a PNG or JPEG image.");
                }
            }
            catch (FormatException)
            {
                errors.Add("image", "is not base64.");
            }
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var access = await database.InTenantAsync(actor.TenantId, scope => VisitForAsync(scope, actor, visitId, lockRow: false), cancellationToken);
        if (!access.Succeeded)
        {
            return access.Problem;
        }

        var visit = access.Value.Visit;
        if (visit.Status is not (VisitStatus.OnSite or VisitStatus.Completed))
        {
            return Problem.Conflict($"The visit is {visit.Status}: the customer signs on site or once the work is completed.");
        }

        var blobName = $"visits/{actor.TenantId}/{visitId}/signature-{Guid.CreateVersion7()}{ImageTypes.Extension(contentType!)}";
        await Container().GetBlobClient(blobName).UploadAsync(new BinaryData(image), overwrite: true, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var signerName = input.SignerName!.Trim();
        var stored = await database.InTenantAsync(actor.TenantId,
            scope => VisitRecordStore.InsertSignatureAsync(scope, actor.TenantId, visitId, signerName, blobName, contentType!, image.Length, actor.Actor, now),
            cancellationToken);
        if (!stored)
        {
            await Container().GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            return Problem.Conflict("The visit is already signed: a signature is given once.");
        }

        return new VisitSignature(signerName, now, contentType!, image.Length, actor.Actor);
    }

    public async Task<Result<StoredContent>> SignatureImageAsync(FieldActor actor, Guid visitId, CancellationToken cancellationToken)
    {
        var signature = await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var access = await VisitForAsync(scope, actor, visitId, lockRow: false);
            if (!access.Succeeded)
            {
                return access.Problem;
            }

            return await VisitRecordStore.SignatureAsync(scope, visitId) is { } found ? (Result<StoredSignature>)found : Problem.NotFound("The signature");
        }, cancellationToken);
        if (!signature.Succeeded)
        {
            return signature.Problem;
        }

        var content = await Container().GetBlobClient(signature.Value.BlobName).DownloadContentAsync(cancellationToken);
        return new StoredContent(content.Value.Content, signature.Value.ContentType);
    }

    // ---- the whole record ----

    public Task<Result<VisitRecord>> GetAsync(FieldActor actor, Guid visitId, CancellationToken cancellationToken) =>
        database.InTenantAsync(actor.TenantId, async scope =>
        {
            var access = await VisitForAsync(scope, actor, visitId, lockRow: false);
            return access.Succeeded ? await RecordAsync(scope, visitId) : (Result<VisitRecord>)access.Problem;
        }, cancellationToken);

    internal static async Task<VisitRecord> RecordAsync(DbTransactionScope scope, Guid visitId) => new(
        visitId,
        [.. (await VisitRecordStore.ChecklistAsync(scope, visitId)).Select(i => i.ToItem())],
        await VisitRecordStore.NotesAsync(scope, visitId),
        [.. (await VisitRecordStore.PhotosAsync(scope, visitId)).Select(p => p.ToPhoto())],
        (await VisitRecordStore.SignatureAsync(scope, visitId))?.ToSignature());

    /// <summary>The visit if the caller may see it (a dispatcher any, anyone else only their own technician's), with the caller's technician id.</summary>
    private static async Task<Result<(StoredVisit Visit, Guid? Technician)>> VisitForAsync(DbTransactionScope scope, FieldActor actor, Guid visitId, bool lockRow)
    {
        var technician = (await TechnicianStore.FindByUserAsync(scope, actor.UserId))?.Id;
        Guid? own = actor.CanManage ? null : technician ?? Guid.Empty;
        var visit = lockRow ? await VisitStore.LockAsync(scope, visitId, own) : await VisitStore.FindAsync(scope, visitId, own);
        return visit is null ? Problem.NotFound("The visit") : (visit, technician);
    }

    private async Task<Result<StoredPhoto>> PhotoAsync(FieldActor actor, Guid visitId, Guid photoId, CancellationToken cancellationToken) =>
        await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var access = await VisitForAsync(scope, actor, visitId, lockRow: false);
            if (!access.Succeeded)
            {
                return access.Problem;
            }

            return await VisitRecordStore.PhotoAsync(scope, visitId, photoId) is { } photo ? (Result<StoredPhoto>)photo : Problem.NotFound("The photo");
        }, cancellationToken);

    /// <summary>A read-only SAS for one blob: signed with the account key when the client has it (Azurite, connection strings), else with a user delegation key (managed identity).</summary>
    private async Task<Result<ContentLink>> LinkAsync(string blobName, string contentType, CancellationToken cancellationToken)
    {
        var blob = Container().GetBlobClient(blobName);
        var expiresAt = timeProvider.GetUtcNow().Add(LinkLifetime);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresAt)
        {
            BlobContainerName = blob.BlobContainerName, BlobName = blob.Name, Resource = "b", ContentType = contentType,
            StartsOn = timeProvider.GetUtcNow().AddMinutes(-5),
        };
        if (blob.CanGenerateSasUri)
        {
            return new ContentLink(blob.GenerateSasUri(sas), expiresAt);
        }

        var key = await blobs.GetUserDelegationKeyAsync(sas.StartsOn, expiresAt, cancellationToken);
        var query = sas.ToSasQueryParameters(key.Value, blobs.AccountName).ToString();
        return new ContentLink(new UriBuilder(blob.Uri) { Query = query }.Uri, expiresAt);
    }

    private BlobContainerClient Container() => blobs.GetBlobContainerClient(BlobContainerNames.Documents);

    /// <summary>Checks that exactly one source is given; returns the explicit items' labels (empty when another source is used).</summary>
    private static string[] CheckSource(ChecklistInput input, ValidationErrors errors)
    {
        var sources = (input.Items is null ? 0 : 1) + (input.TemplateId is null ? 0 : 1) + (input.FromJob is true ? 1 : 0);
        if (sources != 1)
        {
            errors.Add("items", "Send exactly one of items (the labels), templateId or fromJob: true.");
            return [];
        }

        return input.Items is null ? [] : Labels(input.Items, "items", errors, required: false);
    }

    private static async Task<Result<string[]>> ResolveAsync(DbTransactionScope scope, ChecklistInput input, string[] explicitItems, Guid? jobId)
    {
        if (input.TemplateId is { } templateId)
        {
            return await VisitRecordStore.TemplateAsync(scope, templateId) is { } template
                ? template.Items
                : new Problem(ProblemKind.Unprocessable, "templateId is not a checklist template of this business.",
                    new Dictionary<string, string[]> { ["templateId"] = ["is not a checklist template of this business."] });
        }

        if (input.FromJob is true)
        {
            return await VisitRecordStore.JobChecklistAsync(scope, jobId!.Value) is { } items ? items : Problem.NotFound("The visit's job");
        }

        return explicitItems;
    }

    private static string[] Labels(IReadOnlyList<string>? items, string field, ValidationErrors errors, bool required)
    {
        if (items is null)
        {
            if (required)
            {
                errors.Add(field, "is required: the checklist's items, in order.");
            }

            return [];
        }

        if (items.Count > MaxChecklistItems || (required && items.Count == 0))
        {
            errors.Add(field, $"must have from {(required ? 1 : 0)} to {MaxChecklistItems} entries.");
            return [];
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(items[i]) || items[i].Trim().Length > 500)
            {
                errors.Add($"{field}[{i}]", "must be 1 to 500 characters.");
            }
        }

        return [.. items.Select(i => i?.Trim() ?? "")];
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream content, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Problem TooLarge(string what, int bytes) => new(ProblemKind.PayloadTooLarge, $"{what} may be at most {bytes / (1024 * 1024)} MB.");
}

/// <summary>The image types a visit record keeps, recognised by their first bytes.</summary>
internal static class ImageTypes
{
    public static string? Sniff(ReadOnlySpan<byte> content)
    {
        if (content.Length >= 3 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF)
        {
            return "image/jpeg";
        }

        if (content.Length >= 8 && content[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        return content.Length >= 12 && content[..4].SequenceEqual("RIFF"u8) && content[8..12].SequenceEqual("WEBP"u8) ? "image/webp" : null;
    }

    public static string Extension(string contentType) => contentType switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        _ => ".webp",
    };
}
