namespace StreamFlow.Core.FieldOps.Records;

/// <summary>A named list of checklist items the office reuses across visits.</summary>
public sealed record ChecklistTemplate(Guid Id, string Name, IReadOnlyList<string> Items, DateTimeOffset CreatedAt);

public sealed record ChecklistTemplateInput(string? Name, IReadOnlyList<string>? Items);

public sealed record ChecklistTemplatePage(IReadOnlyList<ChecklistTemplate> Items, string? NextCursor);

/// <summary>
/// Where a checklist comes from: exactly one of <see cref="Items"/> (the labels), <see cref="TemplateId"/> (a template's
/// items) or, for a visit, <see cref="FromJob"/> (the job's checklist).
/// </summary>
public sealed record ChecklistInput(IReadOnlyList<string>? Items, Guid? TemplateId, bool? FromJob);

public sealed record ChecklistItem(Guid Id, int Position, string Label, bool Done, Guid? DoneBy, DateTimeOffset? DoneAt);

public sealed record ChecklistTick(bool? Done);

public sealed record VisitNoteInput(string? Text);

public sealed record VisitNote(Guid Id, string Author, string Text, DateTimeOffset CreatedAt);

public sealed record VisitPhoto(Guid Id, string ContentType, int SizeBytes, string? Caption, string UploadedBy, DateTimeOffset CreatedAt);

/// <summary>The customer's signature: the image (PNG or JPEG, base64) and the name the signer gave.</summary>
public sealed record SignatureInput(string? SignerName, string? Image);

public sealed record VisitSignature(string SignerName, DateTimeOffset SignedAt, string ContentType, int SizeBytes, string CapturedBy);

/// <summary>Everything recorded on a visit.</summary>
public sealed record VisitRecord(
    Guid VisitId, IReadOnlyList<ChecklistItem> Checklist, IReadOnlyList<VisitNote> Notes, IReadOnlyList<VisitPhoto> Photos, VisitSignature? Signature);

/// <summary>A short-lived read-only link to a stored image.</summary>
public sealed record ContentLink(Uri Url, DateTimeOffset ExpiresAt);

/// <summary>Stored content read back: its bytes and media type.</summary>
public sealed record StoredContent(BinaryData Content, string ContentType);

/// <summary>A photo as uploaded: its bytes, the Content-Type the client sent and an optional caption.</summary>
public sealed record PhotoUpload(Stream Content, string? ContentType, long Length, string? Caption);
