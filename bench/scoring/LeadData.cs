using System.Text;
using CsvHelper;
using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Bench.Scoring;

/// <summary>The public lead data set in the repository's data/leads, read through the product's own CSV import.</summary>
internal static class LeadData
{
    public const string ExternalIdColumn = "Prospect ID";
    public const string OutcomeColumn = "Converted";

    public static string Folder { get; } = FindFolder();

    public static async Task<LeadCsvImport> ImportAsync(byte[] csv, string? outcomeColumn)
    {
        using var stream = new MemoryStream(csv);
        var result = await new LeadCsvReader().ReadAsync(
            stream, new LeadCsvImportOptions { ExternalIdColumn = ExternalIdColumn, OutcomeColumn = outcomeColumn }, CancellationToken.None);
        return result.Succeeded ? result.Value : throw new InvalidOperationException(result.Problem.Detail);
    }

    public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Folder, file));

    /// <summary>The CSV without one column, as a tenant would upload leads whose outcome is not known yet.</summary>
    public static byte[] WithoutColumn(byte[] csv, string column) => Rewrite(csv, keepColumn: header => header != column, keepRow: _ => true);

    /// <summary>The CSV with only the rows whose external id is in <paramref name="externalIds"/>.</summary>
    public static byte[] OnlyRows(byte[] csv, IReadOnlySet<string> externalIds) => Rewrite(csv, keepColumn: _ => true, keepRow: externalIds.Contains);

    private static byte[] Rewrite(byte[] csv, Func<string, bool> keepColumn, Func<string, bool> keepRow)
    {
        using var reader = CsvReader.Create(csv, CsvReaderOptions.Default with { Separator = ',' });
        var headers = reader.Headers.ToList();
        var kept = Enumerable.Range(0, headers.Count).Where(i => keepColumn(headers[i])).ToArray();
        var externalId = headers.IndexOf(ExternalIdColumn);
        var output = new StringBuilder();
        output.AppendJoin(',', kept.Select(i => Quote(headers[i]))).Append('\n');
        while (reader.Read())
        {
            if (keepRow(reader.GetString(externalId)))
            {
                output.AppendJoin(',', kept.Select(i => Quote(reader.GetString(i)))).Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(output.ToString());
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string FindFolder()
    {
        var leads = Path.Combine("data", "leads");
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, leads);
            if (File.Exists(Path.Combine(candidate, "train.csv")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{Path.Combine(leads, "train.csv")} not found in {AppContext.BaseDirectory} or any folder above it.");
    }
}
