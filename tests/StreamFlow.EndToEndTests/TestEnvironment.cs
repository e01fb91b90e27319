namespace StreamFlow.EndToEndTests;

internal static class TestEnvironment
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static int ApiPort => IntSetting("STREAMFLOW_TEST_API_PORT");

    public static int SidecarPort => IntSetting("STREAMFLOW_TEST_SIDECAR_PORT");

    /// <summary>Settings of this suite's own (STREAMFLOW_E2E_name) win: test.sh gives it a database apart from the integration suite's.</summary>
    public const string OwnSettingPrefix = "STREAMFLOW_E2E_";

    public static string Setting(string name) =>
        (Environment.GetEnvironmentVariable(OwnSettingPrefix + name) is { Length: > 0 } own ? own : Environment.GetEnvironmentVariable(name)) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the end-to-end tests through ./test.sh, which starts every service they need.");

    /// <summary>This suite's own settings (prefix removed), which the hosts it starts take over the shared ones.</summary>
    public static IEnumerable<(string Name, string Value)> OwnSettings() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(key => key.StartsWith(OwnSettingPrefix, StringComparison.Ordinal))
            .Select(key => (key[OwnSettingPrefix.Length..], Environment.GetEnvironmentVariable(key) ?? ""));

    private static int IntSetting(string name) => int.Parse(Setting(name), System.Globalization.CultureInfo.InvariantCulture);

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
