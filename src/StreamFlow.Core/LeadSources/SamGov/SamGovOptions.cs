namespace StreamFlow.Core.LeadSources.SamGov;

/// <summary>Settings of the SAM.gov Get Opportunities connector (section <c>LeadSources:SamGov</c>).</summary>
public sealed class SamGovOptions
{
    public const string Section = "LeadSources:SamGov";

    /// <summary>The API host; the search is <c>{BaseUrl}/opportunities/v2/search</c>.</summary>
    public string BaseUrl { get; set; } = "https://api.sam.gov";

    /// <summary>The only origin (scheme, host, port) attachments are downloaded from; any other resourceLink is skipped.</summary>
    public string AttachmentBaseUrl { get; set; } = "https://sam.gov";

    /// <summary>Records per request (the API's <c>limit</c>, at most 1000).</summary>
    public int PageSize { get; set; } = 1000;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Batches of new notices (or notices seen before) of one page stored at the same time.</summary>
    public int StoreParallelism { get; set; } = 4;

    /// <summary>New notices whose leads are created, scored and linked in one transaction.</summary>
    public int CreateBatchSize { get; set; } = 250;

    public long MaxAttachmentBytes { get; set; } = 25L * 1024 * 1024;
}
