using System.Text.RegularExpressions;

namespace StreamFlow.UnitTests.Database;

/// <summary>docs/sql.md: statements live in *Store classes, never in services, functions, orchestrations or the host.</summary>
public sealed partial class SqlHomeTests
{
    // Whole-database work that is not about any aggregate: the tenant setting of every transaction, and backups,
    // which read the catalog and COPY every table by names they read from it.
    private static readonly string[] Exceptions =
    [
        "src/StreamFlow.Core/Database/StreamFlowDatabase.cs",
        "src/StreamFlow.Core/Backups/DatabaseSnapshotter.cs",
        "src/StreamFlow.Core/Backups/DatabaseRestoreService.cs",
        // GAQL for the Google Ads API, not SQL: it never reaches PostgreSQL.
        "src/StreamFlow.Core/LeadSources/GoogleLsa/GoogleLsaQuery.cs",
    ];

    private static readonly string[] Projects =
        ["src/StreamFlow.Core", "src/StreamFlow.Standalone", "functions/StreamFlow.Functions", "orchestrations/StreamFlow.Orchestrations"];

    [Fact]
    public void Sql_statements_live_only_in_store_classes()
    {
        var offenders = Projects
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, project), "*.cs", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(RepositoryPaths.Root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(file => !file.Contains("/bin/", StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal))
            .Where(file => !file.EndsWith("Store.cs", StringComparison.Ordinal) && !Exceptions.Contains(file))
            .Where(file => StatementLiteral().IsMatch(File.ReadAllText(Path.Combine(RepositoryPaths.Root, file))))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_rule_sees_a_statement_in_a_literal()
    {
        Assert.Matches(StatementLiteral(), "private const string X = \"SELECT id FROM leads\";");
        Assert.Matches(StatementLiteral(), "const string Y = \"\"\"\n        UPDATE leads SET stage = @Stage\n        \"\"\";");
        Assert.DoesNotMatch(StatementLiteral(), "var subject = $\"Invoice {number} is overdue\";");
    }

    // A string literal (plain, interpolated or raw) that opens with a statement keyword.
    [GeneratedRegex("\"\\s*(SELECT|INSERT INTO|DELETE FROM|UPDATE [a-z_]+ SET|WITH [a-z_]+ AS \\()\\b")]
    private static partial Regex StatementLiteral();
}
