using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// RFP analysis in steps an orchestration can resume: the upload is checked and kept in Blob storage
/// (documents/rfps/{tenant}/{rfp}/), its text extracted once into a blob next to it, the facts read deterministically,
/// then assessed by AI through the gateway or by the local method. Each step can run again with the same outcome.
/// </summary>
public sealed class RfpService(
    StreamFlowDatabase database,
    BlobServiceClient blobs,
    RfpAiAssessor aiAssessor,
    WorkOutbox outbox,
    TenantKeyring keyring,
    TimeProvider timeProvider,
    ILogger<RfpService> logger)
{
    public const long MaxDocumentBytes = 25L * 1024 * 1024;
    private const int MaxFileNameLength = 255;

    /// <summary>Checks and stores an upload and records the RFP as pending with its analysis in the work outbox. 413 too large, 415 unsupported or not what it claims to be.</summary>
    public async Task<Result<Guid>> StartAsync(Guid tenantId, string uploadedBy, RfpUpload upload, CancellationToken cancellationToken)
    {
        // A generic type (multipart parts often say application/octet-stream) defers to the file name's extension.
        var declared = (upload.ContentType ?? "").Split(';')[0].Trim();
        var mediaType = declared.Length == 0 || declared.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            ? RfpMediaTypes.FromFileName(upload.FileName)
            : RfpMediaTypes.Normalize(declared);
        if (mediaType is null)
        {
            return new Problem(ProblemKind.UnsupportedMediaType,
                "Send the solicitation as application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document (.docx) or text/plain.");
        }

        if (upload.DeclaredLength > MaxDocumentBytes)
        {
            return TooLarge();
        }

        var content = await ReadLimitedAsync(upload.Content, cancellationToken);
        if (content is null)
        {
            return TooLarge();
        }

        if (content.Length == 0)
        {
            return Problem.Validation("file", "is empty.");
        }

        if (!RfpMediaTypes.ContentMatches(mediaType, content))
        {
            return new Problem(ProblemKind.UnsupportedMediaType, $"The content is not a {Describe(mediaType)}, as its type says it is.");
        }

        var id = Guid.CreateVersion7();
        var blobName = $"rfps/{tenantId}/{id}/source{Extension(mediaType)}";
        await Container().GetBlobClient(blobName).UploadAsync(new BinaryData(content), overwrite: true, cancellationToken);
        var fileName = Path.GetFileName(upload.FileName) is { Length: > 0 } name ? name[..Math.Min(name.Length, MaxFileNameLength)] : null;
        await database.InTenantAsync(tenantId, async scope =>
        {
            await RfpStore.InsertAsync(scope,
                new RfpStore.NewRfp(id, tenantId, fileName, mediaType, content.Length, SHA256.HashData(content), blobName, uploadedBy), timeProvider.GetUtcNow());
            await outbox.AddAsync(scope, tenantId, WorkKinds.RfpAnalysis, id);
            return true;
        }, cancellationToken);
        return id;
    }

    public async Task<Result<RfpView>> GetAsync(Guid tenantId, Guid rfpId, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope => RfpStore.FindAsync(scope, rfpId), cancellationToken);
        return row is null ? Problem.NotFound("The RFP") : row.ToView();
    }

    /// <summary>The tenant's RFPs, newest first; <paramref name="cursor"/> is the last id of the previous page.</summary>
    public async Task<Result<RfpPage>> ListAsync(Guid tenantId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        Guid? after = null;
        if (cursor is not null)
        {
            if (!Guid.TryParseExact(cursor, "N", out var parsed))
            {
                return Problem.Validation("cursor", "is not a cursor this list returned.");
            }

            after = parsed;
        }

        var items = await database.InTenantAsync(tenantId, scope => RfpStore.ListAsync(scope, after, limit + 1), cancellationToken);
        return items.Count > limit
            ? new RfpPage([.. items.Take(limit)], items[limit - 1].Id.ToString("N"))
            : new RfpPage(items, null);
    }

    /// <summary>Step 1: the document's text into a blob next to it. Returns the number of pages or paragraphs with text; 0 means the RFP failed.</summary>
    public async Task<int> ExtractTextAsync(Guid tenantId, Guid rfpId, CancellationToken cancellationToken)
    {
        var row = await FindAsync(tenantId, rfpId, cancellationToken);
        await database.InTenantAsync(tenantId, scope => RfpStore.ProgressAsync(scope, rfpId, new RfpProgress("extractingText", null), timeProvider.GetUtcNow()), cancellationToken);
        var content = await Container().GetBlobClient(row.BlobName).DownloadContentAsync(cancellationToken);
        RfpDocumentText document;
        try
        {
            document = RfpTextExtractor.Extract(row.ContentType, content.Value.Content.ToArray());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A damaged or encrypted file is the uploader's problem to fix, not a step to retry.
            logger.LogInformation("RFP {RfpId} of tenant {TenantId}: the {ContentType} could not be read ({ErrorType})", rfpId, tenantId, row.ContentType, exception.GetType().Name);
            await FailAsync(tenantId, rfpId, $"The {Describe(row.ContentType)} could not be read: it may be damaged or password-protected.", cancellationToken);
            return 0;
        }

        if (document.Segments.Count == 0)
        {
            await FailAsync(tenantId, rfpId, "The document contains no text (a scanned PDF needs OCR first, which StreamFlow does not do).", cancellationToken);
            return 0;
        }

        await Container().GetBlobClient(TextBlob(row.BlobName))
            .UploadAsync(BinaryData.FromObjectAsJson(document, StreamFlowJson.Options), overwrite: true, cancellationToken);
        await database.InTenantAsync(tenantId, scope => RfpStore.ProgressAsync(scope, rfpId, new RfpProgress("extractingFacts", document.Segments.Count), timeProvider.GetUtcNow()), cancellationToken);
        return document.Segments.Count;
    }

    /// <summary>Step 2: the deterministic facts, stored with their sources; the RFP is readable from here on.</summary>
    public async Task<RfpFacts> ExtractFactsAsync(Guid tenantId, Guid rfpId, CancellationToken cancellationToken)
    {
        var row = await FindAsync(tenantId, rfpId, cancellationToken);
        var document = await ReadTextAsync(row, cancellationToken);
        var facts = RfpFactExtractor.Extract(document);
        var analysis = new RfpAnalysis(new RfpDocumentSummary(document.Unit, document.Segments.Count, document.Characters), facts, null);
        await database.InTenantAsync(tenantId, scope => RfpStore.SaveFactsAsync(scope, rfpId, new RfpProgress("assessing", document.Segments.Count), analysis, timeProvider.GetUtcNow()), cancellationToken);
        return facts;
    }

    /// <summary>Step 3: the assessment (AI, or local when AI cannot be used), and the RFP is completed.</summary>
    public async Task<RfpAssessment> AssessAsync(Guid tenantId, Guid rfpId, CancellationToken cancellationToken)
    {
        var row = await FindAsync(tenantId, rfpId, cancellationToken);
        var analysis = row.ReadAnalysis() ?? throw new InvalidOperationException($"RFP {rfpId} has no facts yet.");
        var document = await ReadTextAsync(row, cancellationToken);
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        var history = await database.InTenantAsync(tenantId, scope => RfpPricingHistoryStore.ReadAsync(scope, keys, analysis.Facts), cancellationToken);
        var assessment = await aiAssessor.AssessAsync(tenantId, document, analysis.Facts, history, cancellationToken);
        await database.InTenantAsync(tenantId, scope => RfpStore.CompleteAsync(scope, rfpId, analysis with { Assessment = assessment }, timeProvider.GetUtcNow()), cancellationToken);
        return assessment;
    }

    public Task FailAsync(Guid tenantId, Guid rfpId, string error, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => RfpStore.FailAsync(scope, rfpId, error, timeProvider.GetUtcNow()), cancellationToken);

    private async Task<RfpStore.RfpRow> FindAsync(Guid tenantId, Guid rfpId, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, scope => RfpStore.FindAsync(scope, rfpId), cancellationToken)
            ?? throw new InvalidOperationException($"RFP {rfpId} does not exist.");

    private async Task<RfpDocumentText> ReadTextAsync(RfpStore.RfpRow row, CancellationToken cancellationToken)
    {
        var content = await Container().GetBlobClient(TextBlob(row.BlobName)).DownloadContentAsync(cancellationToken);
        return JsonSerializer.Deserialize<RfpDocumentText>(content.Value.Content.ToMemory().Span, StreamFlowJson.Options)
            ?? throw new InvalidOperationException($"The text of RFP {row.Id} is empty.");
    }

    private BlobContainerClient Container() => blobs.GetBlobContainerClient(BlobContainerNames.Documents);

    private static async Task<byte[]?> ReadLimitedAsync(Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Problem TooLarge() =>
        new(ProblemKind.PayloadTooLarge, $"An RFP document may be at most {MaxDocumentBytes / (1024 * 1024)} MB.");

    private static string TextBlob(string sourceBlob) => $"{sourceBlob[..sourceBlob.LastIndexOf('/')]}/text.json";

    private static string Extension(string mediaType) => mediaType switch
    {
        RfpMediaTypes.Pdf => ".pdf",
        RfpMediaTypes.Docx => ".docx",
        _ => ".txt",
    };

    private static string Describe(string mediaType) => mediaType switch
    {
        RfpMediaTypes.Pdf => "PDF",
        RfpMediaTypes.Docx => "Word document (.docx)",
        _ => "UTF-8 text file",
    };
}
