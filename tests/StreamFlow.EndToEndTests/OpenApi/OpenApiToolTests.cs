using System.Globalization;

namespace StreamFlow.EndToEndTests.OpenApi;

/// <summary>The live /api/openapi.json as tools read it: Redocly's recommended rules, and Kiota's generated client.</summary>
[Collection(HostCollection.Name)]
public sealed class OpenApiToolTests(HostFixture fixture)
{
    /// <summary>Where the committed client lives, and the paths it is generated for (the ones ApiClientTests call).</summary>
    private static readonly string CommittedClient = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "StreamFlow.EndToEndTests", "OpenApi", "Client");

    private static readonly string[] ClientPaths = ["/api/v1/auth/login", "/api/v1/leads", "/api/v1/leads/{id}"];

    [Fact]
    public async Task Redocly_finds_no_error_in_the_live_document()
    {
        var document = await SaveLiveDocumentAsync();

        using var cleanup = new DeleteOnDispose(document);
        var lint = await Tool.RunAsync(
            Path.Combine(TestEnvironment.RepositoryRoot, "node_modules", ".bin", "redocly"),
            ["lint", document, "--format=stylish"],
            new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });

        Assert.True(lint.ExitCode == 0, $"redocly lint found errors:\n{lint.Output}");
    }

    [Fact]
    public async Task The_committed_client_is_what_kiota_generates_from_the_live_document()
    {
        var document = await SaveLiveDocumentAsync();
        var output = Path.Combine(Path.GetTempPath(), $"streamflow-kiota-{Guid.NewGuid():N}");
        using var cleanup = new DeleteOnDispose(document, output);
        var kiota = await Tool.RunAsync("dotnet", [
            "kiota", "generate", "--language", "CSharp", "--openapi", document, "--output", output,
            "--class-name", "StreamFlowClient", "--namespace-name", "StreamFlow.EndToEndTests.OpenApi.Client",
            "--type-access-modifier", "Internal", "--exclude-backward-compatible", "--clean-output", "--log-level", "Warning",
            .. ClientPaths.SelectMany(path => new[] { "--include-path", path }),
        ]);
        Assert.True(kiota.ExitCode == 0, $"kiota generate failed:\n{kiota.Output}");
        var generated = SourceFiles(output);

        if (Environment.GetEnvironmentVariable("STREAMFLOW_UPDATE_API_CLIENT") == "1")
        {
            Replace(CommittedClient, output, generated.Keys);
        }

        var committed = SourceFiles(CommittedClient);
        var hint = "regenerate it: STREAMFLOW_UPDATE_API_CLIENT=1 ./test.sh --filter \"FullyQualifiedName~OpenApiToolTests\"";
        Assert.True(generated.Keys.Order().SequenceEqual(committed.Keys.Order()), $"The committed client's files differ from Kiota's; {hint}");
        var changed = generated.Where(file => file.Value != committed[file.Key]).Select(file => file.Key).ToList();
        Assert.True(changed.Count == 0, $"The committed client differs from Kiota's in {string.Join(", ", changed)}; {hint}");
    }

    private async Task<string> SaveLiveDocumentAsync()
    {
        using var response = await fixture.Client.GetAsync("/api/openapi.json");
        response.EnsureSuccessStatusCode();
        var path = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"streamflow-openapi-{Guid.NewGuid():N}.json"));
        await File.WriteAllTextAsync(path, await response.Content.ReadAsStringAsync());
        return path;
    }

    /// <summary>The C# files under <paramref name="root"/> by relative path (Kiota's lock file and log name a temp folder).</summary>
    private static Dictionary<string, string> SourceFiles(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(file => Path.GetRelativePath(root, file).Replace('\\', '/'), file => File.ReadAllText(file).ReplaceLineEndings("\n"))
            : [];

    private static void Replace(string committed, string generated, IEnumerable<string> files)
    {
        if (Directory.Exists(committed))
        {
            Directory.Delete(committed, recursive: true);
        }

        foreach (var file in files)
        {
            var target = Path.Combine(committed, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(generated, file), target);
        }
    }

    private sealed class DeleteOnDispose(params string[] paths) : IDisposable
    {
        public void Dispose()
        {
            foreach (var path in paths)
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }
            }
        }
    }
}
