using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace StreamFlow.Bench.Scoring;

/// <summary>
/// Reads a CSV at the import limits: train.csv's rows repeated (with fresh external ids) to 100,000 rows, through
/// <see cref="StreamFlow.Core.Leads.Import.LeadCsvReader"/>, and prints rows per second and memory.
/// </summary>
internal static class ImportBench
{
    public static async Task RunAsync()
    {
        var lines = Encoding.UTF8.GetString(LeadData.Read("train.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var csv = new StringBuilder(lines[0]).Append('\n');
        for (var i = 0; i < 100_000; i++)
        {
            var line = lines[1 + (i % (lines.Length - 1))];
            csv.Append(CultureInfo.InvariantCulture, $"lead-{i:D6}").Append(line.AsSpan(line.IndexOf(',', StringComparison.Ordinal))).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        for (var run = 0; run < 3; run++)
        {
            GC.Collect();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var import = await LeadData.ImportAsync(bytes, LeadData.OutcomeColumn);
            clock.Stop();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{import.Leads.Count:N0} leads, {import.Errors.Count} errors from {bytes.Length / 1024.0 / 1024:0.0} MB in {clock.Elapsed.TotalSeconds:0.00} s: {import.Leads.Count / clock.Elapsed.TotalSeconds:N0} rows/s, {(GC.GetTotalAllocatedBytes(precise: true) - before) / 1024.0 / 1024:N0} MB allocated, {GC.GetTotalMemory(false) / 1024.0 / 1024:N0} MB live"));
        }
    }
}
