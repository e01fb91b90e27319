namespace StreamFlow.Core.Leads.Import;

/// <summary>
/// How to read a lead CSV. Column names are matched ignoring case, spaces and punctuation. The limits are those of
/// <c>POST /api/v1/leads/import</c>: 100,000 data rows, 50 MB, 1,000 characters per field.
/// </summary>
public sealed record LeadCsvImportOptions
{
    public const int DefaultMaxRows = 100_000;
    public const long DefaultMaxBytes = 50L * 1024 * 1024;
    public const int DefaultMaxFieldLength = 1_000;

    /// <summary>The column holding the tenant's own id of each lead (re-imports update by it), if any.</summary>
    public string? ExternalIdColumn { get; init; }

    /// <summary>The column holding whether the lead converted (1/0, yes/no, true/false, won/lost, converted), if any.</summary>
    public string? OutcomeColumn { get; init; }

    public char Separator { get; init; } = ',';

    public int MaxRows { get; init; } = DefaultMaxRows;

    public long MaxBytes { get; init; } = DefaultMaxBytes;

    public int MaxFieldLength { get; init; } = DefaultMaxFieldLength;
}
