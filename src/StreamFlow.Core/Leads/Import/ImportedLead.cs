namespace StreamFlow.Core.Leads.Import;

/// <summary>Whether an imported lead converted, read from the outcome column.</summary>
public enum ImportedOutcome
{
    Won,
    Lost,
}

/// <summary>
/// One good row of a lead CSV: the known contact fields (trimmed, null when empty), the external id, the outcome
/// when an outcome column was named and the row has one, and every other column as a typed attribute keyed by its
/// header as written in the file. Empty cells are absent from <see cref="Attributes"/>.
/// </summary>
public sealed record ImportedLead(
    int Row,
    string? ExternalId,
    string? FirstName,
    string? LastName,
    string? FullName,
    string? Company,
    string? Email,
    string? Phone,
    string? Source,
    string? Notes,
    string? Address,
    string? City,
    string? State,
    string? PostalCode,
    string? Country,
    ImportedOutcome? Outcome,
    IReadOnlyDictionary<string, AttributeValue> Attributes);

/// <summary>A row that was not imported: its 1-based data row number (the header is not counted) and why.</summary>
public sealed record ImportRowError(int Row, string Message);

/// <summary>What a CSV column became: the external id, the outcome, a lead field, or an attribute of a type.</summary>
public enum ImportedColumnRole
{
    ExternalId,
    Outcome,
    Field,
    Attribute,
}

/// <summary>One column of the file and what the import made of it.</summary>
public sealed record ImportedColumn(string Header, ImportedColumnRole Role, LeadField? Field, AttributeKind? Kind);

/// <summary>Up to <c>size</c> consecutive good leads, for fanning an import out over activities.</summary>
public sealed record ImportChunk(int Index, IReadOnlyList<ImportedLead> Leads);

/// <summary>The result of reading a lead CSV: good rows as leads, bad rows as errors, and the column mapping.</summary>
public sealed record LeadCsvImport(
    int TotalRows,
    IReadOnlyList<ImportedColumn> Columns,
    IReadOnlyList<ImportedLead> Leads,
    IReadOnlyList<ImportRowError> Errors)
{
    /// <summary>The leads in consecutive chunks of at most <paramref name="size"/> (500 by default), in file order.</summary>
    public IEnumerable<ImportChunk> Chunks(int size = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var index = 0;
        foreach (var chunk in Leads.Chunk(size))
        {
            yield return new ImportChunk(index++, chunk);
        }
    }
}
