using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Privacy.SubjectRequests;

/// <summary>
/// Data-subject requests (GDPR articles 15-17, CCPA): a caller names a person by email or phone, the request keeps only
/// its blind index and runs durably (work outbox → orchestration): an export writes everything held about the person as
/// JSON and CSV to Blob storage, downloadable by the requester for <see cref="PrivacyOptions.SubjectExportLifetime"/>; an
/// erasure clears or pseudonymises the person's fields everywhere (customer invoices are kept, pseudonymised), adds the
/// person's blind indexes to the suppression list that restores apply, and leaves an audit tombstone without personal data.
/// A person with no records completes with nothing found.
/// </summary>
public sealed class SubjectRequestService(
    StreamFlowDatabase database,
    TenantKeyring keyring,
    BlobServiceClient blobs,
    WorkOutbox outbox,
    AuditLog audit,
    IOptions<PrivacyOptions> options,
    TimeProvider timeProvider)
{
    public const string WorkKind = "privacy.request";

    /// <summary>Records the request (pending) with its durable run and an audit entry, in one transaction.</summary>
    public async Task<Result<Guid>> StartAsync(Guid tenantId, string actor, RequestOrigin origin, SubjectRequestInput? input, CancellationToken cancellationToken)
    {
        if (input is null)
        {
            return Problem.Validation("body", "must be a JSON object with kind and email or phone.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (input.Kind is not (SubjectRequestKinds.Export or SubjectRequestKinds.Erasure))
        {
            errors["kind"] = ["must be export or erasure."];
        }

        var email = SubjectIdentifiers.NormalizeEmail(input.Email);
        var phone = SubjectIdentifiers.NormalizePhone(input.Phone);
        if (string.IsNullOrWhiteSpace(input.Email) == string.IsNullOrWhiteSpace(input.Phone))
        {
            errors["email"] = ["give exactly one of email and phone."];
        }
        else if (email is not null && !SubjectIdentifiers.IsEmail(email))
        {
            errors["email"] = ["must be an email address."];
        }
        else if (!string.IsNullOrWhiteSpace(input.Phone) && phone is null)
        {
            errors["phone"] = ["must be a phone number of 7 to 15 digits, optionally starting with +."];
        }

        if (errors.Count > 0)
        {
            return Problem.Validation(errors);
        }

        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        var (subjectKind, index) = email is not null
            ? (PersonalFields.Email, keys.Index(PersonalFields.Email, email)!)
            : (PersonalFields.Phone, keys.Index(PersonalFields.Phone, phone)!);
        var id = Guid.CreateVersion7();
        await database.InTenantAsync(tenantId, async scope =>
        {
            await SubjectRequestStore.InsertAsync(scope, id, tenantId, input.Kind!, subjectKind, index, actor, timeProvider.GetUtcNow());
            await outbox.AddAsync(scope, tenantId, WorkKind, id);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, actor, $"privacy.{input.Kind}.requested", $"privacy-request:{id}",
                AuditOutcome.Succeeded, origin, new JsonObject { ["identifiedBy"] = subjectKind }));
            return true;
        }, cancellationToken);
        return id;
    }

    /// <param name="routePrefix">The API's route prefix (/api), for the download links.</param>
    public async Task<SubjectRequestStatus?> StatusAsync(Guid tenantId, Guid id, string routePrefix, CancellationToken cancellationToken)
    {
        var request = await database.InTenantAsync(tenantId, scope => SubjectRequestStore.FindAsync(scope, id), cancellationToken);
        if (request is null)
        {
            return null;
        }

        var found = JsonSerializer.Deserialize<Dictionary<string, int>>(request.Found) ?? [];
        var downloads = request.ExportJsonBlob is not null && request.ExportExpiresAt is { } expires && expires > timeProvider.GetUtcNow()
            ? new SubjectRequestDownloads($"{routePrefix}/v1/privacy/requests/{id}/export?format=json", $"{routePrefix}/v1/privacy/requests/{id}/export?format=csv", expires)
            : null;
        return new SubjectRequestStatus(request.Id, request.Kind, request.Status, request.SubjectKind, found,
            request.Status == "completed" && found.GetValueOrDefault("leads") == 0, downloads, request.Error, request.CreatedAt, request.StartedAt, request.CompletedAt);
    }

    /// <summary>The export's file, for the user (or key) that requested it only, until it expires; each download is audited.</summary>
    public async Task<Result<SubjectExportFile>> DownloadAsync(Guid tenantId, string actor, RequestOrigin origin, Guid id, string? format, CancellationToken cancellationToken)
    {
        if (format is not ("json" or "csv"))
        {
            return Problem.Validation("format", "must be json or csv.");
        }

        var request = await database.InTenantAsync(tenantId, scope => SubjectRequestStore.FindAsync(scope, id), cancellationToken);
        if (request is null || request.Kind != SubjectRequestKinds.Export || !string.Equals(request.RequestedBy, actor, StringComparison.Ordinal))
        {
            // Another user's export is not theirs to see, not even that it exists.
            return Problem.NotFound("The export");
        }

        if (request.Status != "completed")
        {
            return Problem.Conflict($"The export is {request.Status}; download it once it has completed.");
        }

        if (request.ExportExpiresAt is not { } expires || expires <= timeProvider.GetUtcNow() || request.ExportJsonBlob is null)
        {
            await DeleteExportAsync(request, cancellationToken);
            return new Problem(ProblemKind.Gone, "The export has expired; start a new request.");
        }

        var blobName = format == "json" ? request.ExportJsonBlob : request.ExportCsvBlob!;
        var content = await blobs.GetBlobContainerClient(BlobContainerNames.Documents).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
        await audit.RecordAsync(new AuditEvent(AuditSystem.Client, tenantId, actor, "privacy.export.downloaded", $"privacy-request:{id}",
            AuditOutcome.Succeeded, origin, new JsonObject { ["format"] = format }), cancellationToken);
        return new SubjectExportFile(content.Value.Content.ToArray(), format == "json" ? "application/json" : "text/csv",
            $"personal-data-{id}.{format}");
    }

    /// <summary>Marks the request running (the orchestration's first step); false when it does not exist.</summary>
    public Task<bool> BeginAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            if (await SubjectRequestStore.FindAsync(scope, id) is null)
            {
                return false;
            }

            await SubjectRequestStore.MarkRunningAsync(scope, id, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);

    /// <summary>Runs the request: the export or the erasure, then completes it. Running it again after it completed changes nothing.</summary>
    public async Task<IReadOnlyDictionary<string, int>> RunAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var request = await database.InTenantAsync(tenantId, scope => SubjectRequestStore.FindAsync(scope, id), cancellationToken)
            ?? throw new InvalidOperationException($"Data-subject request {id} does not exist.");
        if (request.Status == "completed")
        {
            return JsonSerializer.Deserialize<Dictionary<string, int>>(request.Found) ?? [];
        }

        return request.Kind == SubjectRequestKinds.Export
            ? await ExportAsync(tenantId, request, cancellationToken)
            : await EraseAsync(tenantId, request, cancellationToken);
    }

    public Task FailAsync(Guid tenantId, Guid id, string error, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            await SubjectRequestStore.FailAsync(scope, id, error, timeProvider.GetUtcNow());
            if (await SubjectRequestStore.FindAsync(scope, id) is { } request)
            {
                await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, request.RequestedBy, $"privacy.{request.Kind}.failed",
                    $"privacy-request:{id}", AuditOutcome.Failed, RequestOrigin.None, new JsonObject { ["error"] = error }));
            }

            return true;
        }, cancellationToken);

    private async Task<IReadOnlyDictionary<string, int>> ExportAsync(Guid tenantId, StoredSubjectRequest request, CancellationToken cancellationToken)
    {
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        var (leads, related) = await database.InTenantAsync(tenantId, async scope =>
        {
            var rows = await SubjectRequestStore.LeadsOfSubjectAsync(scope, request.SubjectIndex);
            return (rows, await SubjectRequestStore.RelatedRecordsAsync(scope, rows.Select(r => r.Id).ToArray()));
        }, cancellationToken);

        var leadDocuments = leads.Select(lead =>
        {
            var document = JsonNode.Parse(lead.Row)!.AsObject();
            document["email"] = keys.Open(PersonalFields.LeadsTable, PersonalFields.Email, lead.Id, lead.EmailSealed);
            document["phone"] = keys.Open(PersonalFields.LeadsTable, PersonalFields.Phone, lead.Id, lead.PhoneSealed);
            document["notes"] = lead.NotesSealed is null ? lead.PlainNotes : keys.Open(PersonalFields.LeadsTable, PersonalFields.Notes, lead.Id, lead.NotesSealed);
            string? Address(string column, byte[]? sealedValue, string? plain) => sealedValue is null ? plain : keys.Open(PersonalFields.LeadsTable, column, lead.Id, sealedValue);
            document["postal_code"] = Address(PersonalFields.PostalCode, lead.PostalCodeSealed, lead.PlainPostalCode);
            document["state"] = Address(PersonalFields.State, lead.StateSealed, lead.PlainState);
            document["city"] = Address(PersonalFields.City, lead.CitySealed, lead.PlainCity);
            document["country"] = Address(PersonalFields.Country, lead.CountrySealed, lead.PlainCountry);
            return document;
        }).ToList();
        var now = timeProvider.GetUtcNow();
        var export = SubjectExportDocument.Build(request.Id, request.SubjectKind, now, leadDocuments, related);
        var found = new Dictionary<string, int>(StringComparer.Ordinal) { ["leads"] = leads.Count };
        foreach (var (name, rows) in related)
        {
            found[name] = rows.Count;
        }

        var container = blobs.GetBlobContainerClient(BlobContainerNames.Documents);
        var jsonBlob = $"privacy-exports/{tenantId}/{request.Id}.json";
        var csvBlob = $"privacy-exports/{tenantId}/{request.Id}.csv";
        await container.GetBlobClient(jsonBlob).UploadAsync(BinaryData.FromBytes(SubjectExportDocument.ToJson(export)), overwrite: true, cancellationToken);
        await container.GetBlobClient(csvBlob).UploadAsync(BinaryData.FromBytes(SubjectExportDocument.ToCsv(export)), overwrite: true, cancellationToken);

        await database.InTenantAsync(tenantId, async scope =>
        {
            await SubjectRequestStore.CompleteAsync(scope, request.Id, JsonSerializer.Serialize(found), jsonBlob, csvBlob, now + options.Value.SubjectExportLifetime, now);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, request.RequestedBy, "privacy.export.completed",
                $"privacy-request:{request.Id}", AuditOutcome.Succeeded, RequestOrigin.None, Counts(found)));
            return true;
        }, cancellationToken);
        return found;
    }

    // One transaction: the records change, the suppression list grows, the tombstone is written and the request completes
    // together, or (after a crash) none of it happened and the activity runs again.
    private async Task<IReadOnlyDictionary<string, int>> EraseAsync(Guid tenantId, StoredSubjectRequest request, CancellationToken cancellationToken)
    {
        // Visit photos and signature images are blobs, outside the transaction: they are deleted first, so a crash after
        // this leaves rows pointing at missing blobs (the retried activity deletes again, a no-op, then commits) and never
        // blobs nobody points at.
        var media = await database.InTenantAsync(tenantId, async scope =>
            await SubjectRequestStore.FieldMediaAsync(scope, (await SubjectRequestStore.LeadsOfSubjectAsync(scope, request.SubjectIndex)).Select(l => l.Id).ToArray()),
            cancellationToken);
        var container = blobs.GetBlobContainerClient(BlobContainerNames.Documents);
        foreach (var blob in media)
        {
            await container.GetBlobClient(blob).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            var leads = await SubjectRequestStore.LeadsOfSubjectAsync(scope, request.SubjectIndex);

            // The person's other identifier (the phone of a person named by email) is suppressed as well, so a restore
            // finds a lead that carries either one.
            var suppressed = new List<(string Kind, byte[] Index)> { (request.SubjectKind, request.SubjectIndex) };
            foreach (var lead in leads)
            {
                suppressed.AddRange(new[] { (PersonalFields.Email, lead.EmailIndex), (PersonalFields.Phone, lead.PhoneIndex) }
                    .Where(e => e.Item2 is not null).Select(e => (e.Item1, e.Item2!)));
            }

            var leadIds = leads.Select(l => l.Id).ToArray();
            var erasedMedia = await SubjectRequestStore.EraseFieldMediaAsync(scope, leadIds);
            var erased = await SubjectRequestStore.EraseAsync(scope, leadIds, Pseudonym(request.Id), now)
                ?? new ErasedCounts(0, 0, 0, 0, 0, 0, 0, 0, 0);
            var events = await SubjectRequestStore.EraseWebhookPayloadsAsync(scope, leadIds, Pseudonym(request.Id));
            var distinct = suppressed.DistinctBy(e => (e.Kind, Convert.ToHexString(e.Index))).ToList();
            await SubjectRequestStore.SuppressAsync(scope, tenantId, request.Id, distinct, now);
            var found = new Dictionary<string, int>(StringComparer.Ordinal)
            {
                ["leads"] = erased.Leads, ["activities"] = erased.Activities, ["quotes"] = erased.Quotes, ["jobs"] = erased.Jobs,
                ["visitNotes"] = erased.VisitNotes, ["signatures"] = erased.Signatures, ["customerInvoicesPseudonymised"] = erased.CustomerInvoices,
                ["sourceLinks"] = erased.SourceLinks, ["tasks"] = erased.Tasks, ["visitPhotos"] = erasedMedia.Photos,
                ["signatureImages"] = erasedMedia.SignatureImages, ["events"] = events, ["suppressedIdentifiers"] = distinct.Count,
            };
            await SubjectRequestStore.CompleteAsync(scope, request.Id, JsonSerializer.Serialize(found), null, null, null, now);

            // The tombstone: that a person was erased, when, by whose request and how much — nothing that names them.
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, request.RequestedBy, "privacy.erasure.completed",
                $"privacy-request:{request.Id}", AuditOutcome.Succeeded, RequestOrigin.None, Counts(found)));
            return (IReadOnlyDictionary<string, int>)found;
        }, cancellationToken);
    }

    private async Task DeleteExportAsync(StoredSubjectRequest request, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(BlobContainerNames.Documents);
        foreach (var blob in new[] { request.ExportJsonBlob, request.ExportCsvBlob }.OfType<string>())
        {
            await container.GetBlobClient(blob).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <summary>The stand-in name of an erased person on the records kept (invoices, jobs, quotes): the same on all of them, unique per request.</summary>
    internal static string Pseudonym(Guid requestId) => $"Erased person {requestId.ToString("N")[^8..]}";

    private static JsonObject Counts(IReadOnlyDictionary<string, int> found) =>
        new(found.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value))));
}
