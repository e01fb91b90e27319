using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.LeadSources.SamGov;
using StreamFlow.Core.Rfps;

namespace StreamFlow.Core.LeadSources;

/// <summary>A document a source attached to a lead and what became of it: analyzing (its RFP), skipped or failed with the reason.</summary>
public sealed record SourceAttachmentView(string Source, string Url, string Status, string? Reason, string? FileName, Guid? RfpId);

/// <summary>
/// Documents that sources attach to their records (a SAM.gov notice's resourceLinks). Each is downloaded only from its
/// source's attachment origin (for SAM.gov the setting <c>LeadSources:SamGov:AttachmentBaseUrl</c>; no redirects are
/// followed, so a link cannot lead the server elsewhere), and a PDF or DOCX is handed to the RFP analysis; anything
/// else is skipped with the reason.
/// </summary>
public sealed class SourceAttachments(
    StreamFlowDatabase database, RfpService rfps, IOptions<SamGovOptions> samGov, TimeProvider time, ILogger<SourceAttachments> logger) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = samGov.Value.Timeout };

    public Task RecordAsync(Guid tenantId, Guid leadId, string source, IEnumerable<string> urls, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            foreach (var url in urls.Where(u => !string.IsNullOrWhiteSpace(u) && u.Length <= 2000).Select(u => u.Trim()).Distinct(StringComparer.Ordinal))
            {
                await SourceAttachmentStore.InsertAsync(scope, tenantId, leadId, source, url, time.GetUtcNow());
            }

            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<SourceAttachmentView>> ForLeadAsync(Guid tenantId, Guid leadId, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(tenantId, scope => SourceAttachmentStore.ForLeadAsync(scope, leadId), cancellationToken))
            .Select(row => new SourceAttachmentView(row.Source, row.Url, row.Status, row.Reason, row.FileName, row.RfpId)).ToList();

    /// <summary>Downloads up to <paramref name="max"/> pending attachments of the tenant; returns the RFPs to analyse.</summary>
    public async Task<IReadOnlyList<Guid>> ProcessPendingAsync(Guid tenantId, int max, CancellationToken cancellationToken)
    {
        var claimed = await database.InTenantAsync(tenantId, scope => SourceAttachmentStore.ClaimAsync(scope, max, time.GetUtcNow()), cancellationToken);
        var started = new List<Guid>();
        foreach (var attachment in claimed)
        {
            var (status, reason, fileName, rfpId) = await FetchAsync(tenantId, attachment, cancellationToken);
            await database.InTenantAsync(tenantId, async scope =>
            {
                await SourceAttachmentStore.FinishAsync(scope, attachment.Id, status, reason, fileName, rfpId, time.GetUtcNow());
                return true;
            }, cancellationToken);
            if (rfpId is { } id)
            {
                started.Add(id);
            }
        }

        return started;
    }

    public void Dispose() => _http.Dispose();

    private async Task<(string Status, string? Reason, string? FileName, Guid? RfpId)> FetchAsync(Guid tenantId, SourceAttachmentRow attachment, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(attachment.Url, UriKind.Absolute, out var url) || AllowedOrigin(attachment.Source) is not { } allowed
            || !string.Equals(url.GetLeftPart(UriPartial.Authority), allowed.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            return ("skipped", "The link is not on the source's attachment host, so it was not fetched.", null, null);
        }

        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return ("failed", $"The attachment host answered {(int)response.StatusCode}.", null, null);
            }

            var fileName = FileName(response.Content.Headers.ContentDisposition) ?? Path.GetFileName(url.AbsolutePath);
            var declared = response.Content.Headers.ContentType?.MediaType;
            var mediaType = RfpMediaTypes.Normalize(declared) is { } known && known != RfpMediaTypes.Text ? known : RfpMediaTypes.FromFileName(fileName);
            if (mediaType is not (RfpMediaTypes.Pdf or RfpMediaTypes.Docx))
            {
                return ("skipped", $"Not a PDF or DOCX ({declared ?? "no content type"}, {fileName}); only those are analysed.", fileName, null);
            }

            if (response.Content.Headers.ContentLength > samGov.Value.MaxAttachmentBytes)
            {
                return ("skipped", $"Larger than {samGov.Value.MaxAttachmentBytes / (1024 * 1024)} MB.", fileName, null);
            }

            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            var started = await rfps.StartAsync(tenantId, $"source:{attachment.Source}", new RfpUpload(content, mediaType, fileName, response.Content.Headers.ContentLength), cancellationToken);
            return started.Succeeded
                ? ("analyzing", null, fileName, started.Value)
                : ("skipped", started.Problem.Detail, fileName, null);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Attachment {AttachmentId} could not be fetched: {Error}", attachment.Id, exception.GetType().Name);
            return ("failed", "The attachment host could not be reached or did not answer in time.", null, null);
        }
    }

    private Uri? AllowedOrigin(string source) =>
        source == SamGovConnector.SourceName && Uri.TryCreate(samGov.Value.AttachmentBaseUrl, UriKind.Absolute, out var origin) ? origin : null;

    private static string? FileName(ContentDispositionHeaderValue? disposition) =>
        (disposition?.FileNameStar ?? disposition?.FileName)?.Trim('"') is { Length: > 0 } name ? Path.GetFileName(name) : null;
}
