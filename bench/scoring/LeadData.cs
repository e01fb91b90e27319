using System.Text;
using CsvHelper;
using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Bench.Scoring;

/// <summary>The public lead data set in ../shared/data/leads, read through the product's own CSV import.</summary>
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
    public static byte[] WithoutColumn(byte[] csv, string column)
    {
        using var reader = CsvReader.Create(csv, CsvReaderOptions.Default with { Separator = ',' });
        var headers = reader.Headers;
        var skip = headers.ToList().IndexOf(column);
        var output = new StringBuilder();
        output.AppendJoin(',', headers.Where((_, i) => i != skip).Select(Quote)).Append('\n');
        while (reader.Read())
        {
            output.AppendJoin(',', Enumerable.Range(0, reader.FieldCount).Where(i => i != skip).Select(i => Quote(reader.GetString(i)))).Append('\n');
        }

        return Encoding.UTF8.GetBytes(output.ToString());
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string FindFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "data", "leads");
            if (File.Exists(Path.Combine(candidate, "train.csv")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("shared/data/leads/train.csv not found above " + AppContext.BaseDirectory);
    }
}
