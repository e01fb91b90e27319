namespace StreamFlow.UnitTests;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration these tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string FunctionsOutput => Path.Combine(Root, "functions", "StreamFlow.Functions", "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "StreamFlow.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("StreamFlow.sln not found above the test output.");
    }
}
