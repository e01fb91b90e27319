using System.Text.Json;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.UnitTests.Hosting;

/// <summary>
/// functions.metadata is what the Azure Functions host reads; the catalog is what the standalone host serves.
/// They must describe the same routes, schedules and orchestrations.
/// </summary>
public sealed class FunctionCatalogTests
{
    private static readonly FunctionCatalog Catalog =
        FunctionCatalog.Load(typeof(FunctionsServiceCollectionExtensions).Assembly, Path.Combine(RepositoryPaths.Root, "host.json"));

    private static readonly JsonElement[] Metadata = LoadMetadata();

    [Fact]
    public void Functions_build_emits_functions_metadata_and_extensions()
    {
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.FunctionsOutput, "extensions.json")));
        Assert.NotEmpty(Metadata);
    }

    [Fact]
    public void Standalone_serves_exactly_the_http_routes_the_functions_app_declares()
    {
        var declared = Triggers("httpTrigger")
            .Select(t => $"{string.Join(',', t.Binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order())} {Catalog.RoutePrefix}/{t.Binding.GetProperty("route").GetString()}")
            .Order()
            .ToArray();
        var served = Catalog.Http.Select(f => $"{string.Join(',', f.Methods.Order())} {f.Route}").Order().ToArray();

        Assert.Equal(declared, served);
    }

    [Fact]
    public void Standalone_runs_exactly_the_timers_the_functions_app_declares()
    {
        var declared = Triggers("timerTrigger").Select(t => $"{t.Name} {t.Binding.GetProperty("schedule").GetString()}").Order();
        var scheduled = Catalog.Timers.Select(t => $"{t.Name} {t.Schedule}").Order();

        Assert.Equal(declared, scheduled);
    }

    [Fact]
    public void Standalone_runs_exactly_the_orchestrations_and_activities_the_functions_app_declares()
    {
        Assert.Equal(Triggers("orchestrationTrigger").Select(t => t.Name).Order(), Catalog.Orchestrators.Select(f => f.Name).Order());
        Assert.Equal(Triggers("activityTrigger").Select(t => t.Name).Order(), Catalog.Activities.Select(f => f.Name).Order());
    }

    [Fact]
    public void Route_prefix_comes_from_host_json()
    {
        Assert.Equal("api", Catalog.RoutePrefix);
        Assert.All(Catalog.Http, f => Assert.StartsWith("api/", f.Route, StringComparison.Ordinal));
    }

    private static IEnumerable<(string Name, JsonElement Binding)> Triggers(string type) =>
        Metadata.SelectMany(function => function.GetProperty("bindings").EnumerateArray()
            .Where(binding => binding.GetProperty("type").GetString() == type)
            .Select(binding => (function.GetProperty("name").GetString()!, binding)));

    private static JsonElement[] LoadMetadata()
    {
        var path = Path.Combine(RepositoryPaths.FunctionsOutput, "functions.metadata");
        Assert.True(File.Exists(path), $"The Functions build did not produce {path}.");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().ToArray();
    }
}
