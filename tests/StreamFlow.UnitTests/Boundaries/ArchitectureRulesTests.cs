using System.Reflection;
using ArchUnitNET.Loader;
using StreamFlow.Core.Kernel;
using StreamFlow.Orchestrations;
using StreamFlow.Webhooks;
using ArchitectureModel = ArchUnitNET.Domain.Architecture;

namespace StreamFlow.UnitTests.Boundaries;

/// <summary>
/// The boundaries issue #18 drew, read from the built assemblies: feature folders without cycles, Core free of the
/// host frameworks, a kernel that knows no feature, and a verifier package that a client can take on its own.
/// </summary>
public sealed class ArchitectureRulesTests
{
    private static readonly Assembly Core = typeof(Money).Assembly;
    private static readonly Assembly Orchestrations = typeof(TaskNames).Assembly;
    private static readonly Assembly Verifier = typeof(WebhookVerifier).Assembly;

    private static readonly Lazy<ArchitectureModel> Architecture = new(() => new ArchLoader().LoadAssemblies(Core, Orchestrations, Verifier).Build());

    private static readonly string[] HostFrameworks = ["Microsoft.AspNetCore", "Microsoft.Azure.Functions", "Microsoft.DurableTask", "DurableTask"];

    [Fact]
    public void Core_feature_folders_depend_on_each_other_without_cycles()
    {
        Assert.Superset(new HashSet<string> { "Billing", "Identity", "Kernel", "Leads", "Scoring", "Tenancy", "Webhooks" }, FeatureFolders("StreamFlow.Core"));

        Assert.Empty(CyclesBetweenFeatureFolders("StreamFlow.Core"));
    }

    [Fact]
    public void Orchestration_feature_folders_depend_on_each_other_without_cycles()
    {
        Assert.Superset(new HashSet<string> { "Billing", "Leads", "Scoring", "Webhooks" }, FeatureFolders("StreamFlow.Orchestrations"));

        Assert.Empty(CyclesBetweenFeatureFolders("StreamFlow.Orchestrations"));
    }

    [Fact]
    public void Core_references_neither_ASP_NET_Core_nor_the_Functions_worker_nor_Durable_Task()
    {
        var references = Core.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Npgsql", references);
        Assert.DoesNotContain(references, IsHostFramework);

        var dependencies = TypesOf(Core)
            .SelectMany(type => type.Dependencies.Select(d => (From: type.FullName, To: d.Target.FullName)))
            .Where(d => IsHostFramework(d.To))
            .Select(d => $"{d.From} -> {d.To}")
            .Distinct();
        Assert.Empty(dependencies);
    }

    [Fact]
    public void The_kernel_depends_on_no_feature()
    {
        var kernelTypes = TypesOf(Core).Where(t => InNamespace(t.Namespace.FullName, "StreamFlow.Core.Kernel")).ToList();
        Assert.Contains(kernelTypes, t => t.Name == nameof(Money));

        var dependencies = kernelTypes
            .SelectMany(type => type.Dependencies.Select(d => (From: type.FullName, To: d.Target)))
            .Where(d => InNamespace(d.To.Namespace?.FullName ?? "", "StreamFlow") && !InNamespace(d.To.Namespace?.FullName ?? "", "StreamFlow.Core.Kernel"))
            .Select(d => $"{d.From} -> {d.To.FullName}")
            .Distinct();
        Assert.Empty(dependencies);
    }

    [Fact]
    public void The_webhook_verifier_package_depends_on_nothing_of_ours_nor_any_package()
    {
        var references = Verifier.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name is "netstandard" or "mscorlib" || name.StartsWith("System", StringComparison.Ordinal), name));
        Assert.DoesNotContain(TypesOf(Verifier).SelectMany(t => t.Dependencies), d => InNamespace(d.Target.Namespace?.FullName ?? "", "StreamFlow.Core"));
    }

    private static IEnumerable<ArchUnitNET.Domain.IType> TypesOf(Assembly assembly) =>
        Architecture.Value.Types.Where(t => t.Assembly.FullName == assembly.FullName);

    private static HashSet<string> FeatureFolders(string root) =>
        Architecture.Value.Types
            .Select(t => t.Namespace.FullName)
            .Where(ns => ns.StartsWith(root + ".", StringComparison.Ordinal))
            .Select(ns => ns[(root.Length + 1)..].Split('.')[0])
            .ToHashSet();

    // ArchUnitNET 0.13.5's slices treat each sub-namespace (Scoring.Rules) as a slice of its own, which would report a
    // feature's inner folders as cycles; a feature folder here is the first namespace segment below the root, whole.
    private static List<string> CyclesBetweenFeatureFolders(string root)
    {
        string? Folder(string ns) => ns.StartsWith(root + ".", StringComparison.Ordinal) ? ns[(root.Length + 1)..].Split('.')[0] : null;
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in Architecture.Value.Types)
        {
            if (Folder(type.Namespace.FullName) is not { } from)
            {
                continue;
            }

            foreach (var dependency in type.Dependencies)
            {
                if (Folder(dependency.Target.Namespace?.FullName ?? "") is { } to && to != from)
                {
                    var targets = edges.TryGetValue(from, out var known) ? known : edges[from] = new(StringComparer.Ordinal);
                    targets.TryAdd(to, $"{type.FullName} -> {dependency.Target.FullName}");
                }
            }
        }

        bool Reaches(string start, string goal, HashSet<string> seen) =>
            edges.TryGetValue(start, out var next) && next.Keys.Any(n => n == goal || (seen.Add(n) && Reaches(n, goal, seen)));

        return edges.SelectMany(e => e.Value.Where(t => Reaches(t.Key, e.Key, [])).Select(t => $"{e.Key} -> {t.Key} ({t.Value}) closes a cycle")).ToList();
    }

    private static bool InNamespace(string name, string root) =>
        name == root || name.StartsWith(root + ".", StringComparison.Ordinal);

    private static bool IsHostFramework(string name) => HostFrameworks.Any(root => InNamespace(name, root));
}
