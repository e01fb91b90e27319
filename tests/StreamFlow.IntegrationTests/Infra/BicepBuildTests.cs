using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;

namespace StreamFlow.IntegrationTests.Infra;

public sealed class BicepBuildTests
{
    private const string BicepVersion = "0.49.2";

    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(2);

    // Both tests look at the same compilation; one bicep run is enough.
    private static readonly Lazy<Task<BicepRun>> _mainBuild = new(() => BuildAsync("infra/main.bicep"));

    [Fact]
    public async Task Main_bicep_compiles_without_warnings()
    {
        var run = await _mainBuild.Value;

        Assert.True(run.ExitCode == 0, $"bicep build exited with {run.ExitCode}.\n{run.StdErr}");

        // Bicep reports type mismatches (BCP...) and linter findings only as warnings, so any diagnostic line fails.
        var diagnostics = run.StdErr
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains("Warning", StringComparison.Ordinal) || line.Contains("Error", StringComparison.Ordinal))
            .ToList();
        Assert.True(diagnostics.Count == 0, $"bicep build reported diagnostics:\n{run.StdErr}");
    }

    [Fact]
    public async Task Main_bicep_declares_function_app_and_postgres_flexible_server()
    {
        var run = await _mainBuild.Value;
        Assert.True(run.ExitCode == 0, $"bicep build exited with {run.ExitCode}.\n{run.StdErr}");

        using var template = JsonDocument.Parse(run.StdOut);
        var resources = new List<(string Type, string? Kind)>();
        CollectResources(template.RootElement, resources);
        var declared = string.Join('\n', resources.Select(r => $"{r.Type} (kind: {r.Kind ?? "-"})"));

        Assert.True(
            resources.Any(r => r.Type.Equals("Microsoft.Web/sites", StringComparison.OrdinalIgnoreCase)
                && r.Kind?.Contains("functionapp", StringComparison.OrdinalIgnoreCase) == true),
            $"No Microsoft.Web/sites resource of kind functionapp. Declared resources:\n{declared}");
        Assert.True(
            resources.Any(r => r.Type.Equals("Microsoft.DBforPostgreSQL/flexibleServers", StringComparison.OrdinalIgnoreCase)),
            $"No Microsoft.DBforPostgreSQL/flexibleServers resource. Declared resources:\n{declared}");
    }

    // Modules compile to nested Microsoft.Resources/deployments, and with user-defined types the template uses
    // symbolic names (resources as an object, not an array), so the whole document is searched.
    private static void CollectResources(JsonElement element, List<(string Type, string? Kind)> resources)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("type", out var type)
                    && type.ValueKind == JsonValueKind.String
                    && element.TryGetProperty("apiVersion", out _)
                    && !(element.TryGetProperty("existing", out var existing) && existing.ValueKind == JsonValueKind.True))
                {
                    var kind = element.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                    resources.Add((type.GetString()!, kind));
                }

                foreach (var property in element.EnumerateObject())
                {
                    CollectResources(property.Value, resources);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectResources(item, resources);
                }

                break;
        }
    }

    private static async Task<BicepRun> BuildAsync(string relativePath)
    {
        var repoRoot = FindRepoRoot();
        var startInfo = new ProcessStartInfo(FindBicep())
        {
            WorkingDirectory = repoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("build");
        startInfo.ArgumentList.Add(Path.Combine(repoRoot, relativePath));
        startInfo.ArgumentList.Add("--stdout");

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        // Both pipes are drained concurrently so a full stderr buffer cannot stall the process.
        var stdOut = process.StandardOutput.ReadToEndAsync();
        var stdErr = process.StandardError.ReadToEndAsync();

        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep build {relativePath} did not finish within {_timeout}.");
        }

        return new BicepRun(process.ExitCode, await stdOut, await stdErr);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No directory above {AppContext.BaseDirectory} contains StreamFlow.sln.");
    }

    private static string FindBicep()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var bicep = Path.Combine(packages, "azure.bicep.commandline.linux-x64", BicepVersion, "tools", "bicep");
        if (!File.Exists(bicep))
        {
            throw new FileNotFoundException(
                $"Bicep CLI {BicepVersion} not found; restoring StreamFlow.IntegrationTests downloads it (PackageDownload).", bicep);
        }

        if (!OperatingSystem.IsWindows())
        {
            EnsureOwnerCanExecute(bicep);
        }

        return bicep;
    }

    // Package extraction does not always keep the execute bit (it depends on the NuGet client and platform).
    [UnsupportedOSPlatform("windows")]
    private static void EnsureOwnerCanExecute(string path)
    {
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode ownerRwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if ((mode & ownerRwx) != ownerRwx)
        {
            File.SetUnixFileMode(path, mode | ownerRwx);
        }
    }

    private sealed record BicepRun(int ExitCode, string StdOut, string StdErr);
}
