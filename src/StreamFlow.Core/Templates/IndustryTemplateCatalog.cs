using System.Reflection;
using System.Text.Json;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Templates;

/// <summary>
/// The industry templates, read once from the JSON files embedded from <c>src/StreamFlow.Core/Templates/Data</c> (one per
/// industry of <c>Industries.All</c>). Each file's workflows pass the save-time checks (a unit test holds them to it).
/// </summary>
public static class IndustryTemplateCatalog
{
    private static readonly Lazy<IReadOnlyDictionary<string, IndustryTemplate>> Templates = new(Load);

    public static IReadOnlyList<IndustryTemplate> All => [.. Templates.Value.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static IndustryTemplate? Find(string? id) => id is null ? null : Templates.Value.GetValueOrDefault(id.Trim().ToLowerInvariant());

    private static IReadOnlyDictionary<string, IndustryTemplate> Load()
    {
        var assembly = typeof(IndustryTemplateCatalog).Assembly;
        var templates = new Dictionary<string, IndustryTemplate>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".Templates.Data.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var template = JsonSerializer.Deserialize<IndustryTemplate>(stream, StreamFlowJson.Options)
                ?? throw new InvalidOperationException($"The industry template {name} is empty.");
            templates.Add(template.Id, template);
        }

        return templates;
    }
}
