using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Records;

internal sealed record StoredChecklistItem
{
    public Guid Id { get; init; }

    public int Position { get; init; }

    public string Label { get; init; } = "";

    public bool Done { get; init; }

    public Guid? DoneBy { get; init; }

    public DateTimeOffset? DoneAt { get; init; }

    public ChecklistItem ToItem() => new(Id, Position, Label, Done, DoneBy, DoneAt);
}

internal sealed record StoredPhoto
{
    public Guid Id { get; init; }

    public string BlobName { get; init; } = "";

    public string ContentType { get; init; } = "";

    public int SizeBytes { get; init; }

    public string? Caption { get; init; }

    public string UploadedBy { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public VisitPhoto ToPhoto() => new(Id, ContentType, SizeBytes, Caption, UploadedBy, CreatedAt);
}

internal sealed record StoredSignature
{
    public string SignerName { get; init; } = "";

    public DateTimeOffset SignedAt { get; init; }

    public string BlobName { get; init; } = "";

    public string ContentType { get; init; } = "";

    public int SizeBytes { get; init; }

    public string CapturedBy { get; init; } = "";

    public VisitSignature ToSignature() => new(SignerName, SignedAt, ContentType, SizeBytes, CapturedBy);
}

internal sealed record StoredTemplate
{
    public Guid Id { get; init; }

    public string Name { get; init; } = "";

    public string[] Items { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public ChecklistTemplate ToTemplate() => new(Id, Name, Items, CreatedAt);
}

/// <summary>The SQL of visit records: checklist templates, a job's checklist, a visit's checklist, notes, photos and signature.</summary>
internal static class VisitRecordStore
{
    private const string InsertTemplateSql = """
        INSERT INTO checklist_templates (id, tenant_id, name, items, created_by, created_at) VALUES (@Id, @TenantId, @Name, @Items, @Actor, @Now)
        """;

    private const string TemplateSql = "SELECT id AS Id, name AS Name, items AS Items, created_at AS CreatedAt FROM checklist_templates WHERE id = @Id";

    private const string TemplatePageSql = """
        SELECT id AS Id, name AS Name, items AS Items, created_at AS CreatedAt FROM checklist_templates
        WHERE (@Before::uuid IS NULL OR id < @Before) ORDER BY id DESC LIMIT @Limit
        """;

    private const string JobChecklistSql = "SELECT checklist FROM jobs WHERE id = @Id AND deleted_at IS NULL";

    private const string SetJobChecklistSql = "UPDATE jobs SET checklist = @Items, version = version + 1, updated_at = @Now WHERE id = @Id AND deleted_at IS NULL";

    private const string ClearChecklistSql = "DELETE FROM visit_checklist_items WHERE visit_id = @VisitId";

    private const string InsertItemSql = """
        INSERT INTO visit_checklist_items (id, tenant_id, visit_id, position, label) VALUES (@Id, @TenantId, @VisitId, @Position, @Label)
        """;

    private const string ChecklistSql = """
        SELECT id AS Id, position AS Position, label AS Label, done AS Done, done_by AS DoneBy, done_at AS DoneAt
        FROM visit_checklist_items WHERE visit_id = @VisitId ORDER BY position
        """;

    private const string TickSql = """
        UPDATE visit_checklist_items SET done = @Done, done_by = @Technician, done_at = @Now
        WHERE id = @Id AND visit_id = @VisitId
        RETURNING id AS Id, position AS Position, label AS Label, done AS Done, done_by AS DoneBy, done_at AS DoneAt
        """;

    private const string InsertNoteSql = """
        INSERT INTO visit_notes (id, tenant_id, visit_id, author, text, created_at) VALUES (@Id, @TenantId, @VisitId, @Author, @Text, @Now)
        """;

    private const string NotesSql = """
        SELECT id AS Id, author AS Author, text AS Text, created_at AS CreatedAt FROM visit_notes WHERE visit_id = @VisitId ORDER BY created_at, id
        """;

    private const string InsertPhotoSql = """
        INSERT INTO visit_photos (id, tenant_id, visit_id, blob_name, content_type, size_bytes, sha256, caption, uploaded_by, created_at)
        VALUES (@Id, @TenantId, @VisitId, @BlobName, @ContentType, @SizeBytes, @Sha256, @Caption, @UploadedBy, @Now)
        """;

    private const string PhotoColumns = """
        id AS Id, blob_name AS BlobName, content_type AS ContentType, size_bytes AS SizeBytes, caption AS Caption, uploaded_by AS UploadedBy,
        created_at AS CreatedAt
        """;

    private const string PhotosSql = $"SELECT {PhotoColumns} FROM visit_photos WHERE visit_id = @VisitId ORDER BY created_at, id";

    private const string PhotoSql = $"SELECT {PhotoColumns} FROM visit_photos WHERE visit_id = @VisitId AND id = @Id";

    private const string PhotoCountSql = "SELECT count(*) FROM visit_photos WHERE visit_id = @VisitId";

    private const string InsertSignatureSql = """
        INSERT INTO visit_signatures (visit_id, tenant_id, signer_name, signed_at, blob_name, content_type, size_bytes, captured_by)
        VALUES (@VisitId, @TenantId, @SignerName, @Now, @BlobName, @ContentType, @SizeBytes, @CapturedBy)
        ON CONFLICT (visit_id) DO NOTHING
        """;

    private const string SignatureSql = """
        SELECT signer_name AS SignerName, signed_at AS SignedAt, blob_name AS BlobName, content_type AS ContentType, size_bytes AS SizeBytes,
               captured_by AS CapturedBy
        FROM visit_signatures WHERE visit_id = @VisitId
        """;

    public static Task InsertTemplateAsync(DbTransactionScope scope, Guid tenantId, Guid id, string name, string[] items, string actor, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertTemplateSql, new { Id = id, TenantId = tenantId, Name = name, Items = items, Actor = actor, Now = now }));

    public static Task<StoredTemplate?> TemplateAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTemplate>(scope.Command(TemplateSql, new { Id = id }));

    public static async Task<IReadOnlyList<StoredTemplate>> TemplatesAsync(DbTransactionScope scope, Guid? before, int limit) =>
        (await scope.Connection.QueryAsync<StoredTemplate>(scope.Command(TemplatePageSql, new { Before = before, Limit = limit }))).ToList();

    /// <summary>The job's checklist; null when there is no such job.</summary>
    public static Task<string[]?> JobChecklistAsync(DbTransactionScope scope, Guid jobId) =>
        scope.Connection.QuerySingleOrDefaultAsync<string[]?>(scope.Command(JobChecklistSql, new { Id = jobId }));

    public static async Task<bool> SetJobChecklistAsync(DbTransactionScope scope, Guid jobId, string[] items, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(SetJobChecklistSql, new { Id = jobId, Items = items, Now = now })) == 1;

    /// <summary>Replaces the visit's checklist with <paramref name="labels"/>, none ticked.</summary>
    public static async Task ReplaceChecklistAsync(DbTransactionScope scope, Guid tenantId, Guid visitId, IReadOnlyList<string> labels)
    {
        await scope.Connection.ExecuteAsync(scope.Command(ClearChecklistSql, new { VisitId = visitId }));
        for (var i = 0; i < labels.Count; i++)
        {
            await scope.Connection.ExecuteAsync(scope.Command(InsertItemSql, new
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, VisitId = visitId, Position = i, Label = labels[i],
            }));
        }
    }

    public static async Task<IReadOnlyList<StoredChecklistItem>> ChecklistAsync(DbTransactionScope scope, Guid visitId) =>
        (await scope.Connection.QueryAsync<StoredChecklistItem>(scope.Command(ChecklistSql, new { VisitId = visitId }))).ToList();

    public static Task<StoredChecklistItem?> TickAsync(DbTransactionScope scope, Guid visitId, Guid itemId, bool done, Guid technician, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredChecklistItem>(scope.Command(TickSql, new
        {
            Id = itemId, VisitId = visitId, Done = done, Technician = technician, Now = now,
        }));

    public static Task InsertNoteAsync(DbTransactionScope scope, Guid tenantId, Guid visitId, Guid id, string author, string text, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertNoteSql, new { Id = id, TenantId = tenantId, VisitId = visitId, Author = author, Text = text, Now = now }));

    public static async Task<IReadOnlyList<VisitNote>> NotesAsync(DbTransactionScope scope, Guid visitId) =>
        (await scope.Connection.QueryAsync<VisitNote>(scope.Command(NotesSql, new { VisitId = visitId }))).ToList();

    public static Task InsertPhotoAsync(
        DbTransactionScope scope, Guid tenantId, Guid visitId, Guid id, string blobName, string contentType, int sizeBytes, byte[] sha256,
        string? caption, string uploadedBy, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertPhotoSql, new
        {
            Id = id, TenantId = tenantId, VisitId = visitId, BlobName = blobName, ContentType = contentType, SizeBytes = sizeBytes, Sha256 = sha256,
            Caption = caption, UploadedBy = uploadedBy, Now = now,
        }));

    public static async Task<IReadOnlyList<StoredPhoto>> PhotosAsync(DbTransactionScope scope, Guid visitId) =>
        (await scope.Connection.QueryAsync<StoredPhoto>(scope.Command(PhotosSql, new { VisitId = visitId }))).ToList();

    public static Task<StoredPhoto?> PhotoAsync(DbTransactionScope scope, Guid visitId, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredPhoto>(scope.Command(PhotoSql, new { VisitId = visitId, Id = id }));

    public static Task<int> PhotoCountAsync(DbTransactionScope scope, Guid visitId) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(PhotoCountSql, new { VisitId = visitId }));

    /// <summary>Records the signature; false when the visit already has one.</summary>
    public static async Task<bool> InsertSignatureAsync(
        DbTransactionScope scope, Guid tenantId, Guid visitId, string signerName, string blobName, string contentType, int sizeBytes, string capturedBy,
        DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSignatureSql, new
        {
            VisitId = visitId, TenantId = tenantId, SignerName = signerName, BlobName = blobName, ContentType = contentType, SizeBytes = sizeBytes,
            CapturedBy = capturedBy, Now = now,
        })) == 1;

    public static Task<StoredSignature?> SignatureAsync(DbTransactionScope scope, Guid visitId) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredSignature>(scope.Command(SignatureSql, new { VisitId = visitId }));
}
