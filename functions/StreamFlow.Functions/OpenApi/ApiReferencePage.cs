using System.Collections.Frozen;
using System.Reflection;

namespace StreamFlow.Functions.OpenApi;

/// <summary>An asset of the API reference page, read once from the assembly.</summary>
public sealed record ReferenceAsset(byte[] Content, string ContentType);

/// <summary>
/// The interactive API reference: one HTML page, its script and its style sheet, embedded in this assembly so the
/// page works with no CDN and no file system. Only these three names are served.
/// </summary>
public sealed class ApiReferencePage
{
    /// <summary>Scripts and styles from this app only; requests only to this app; nobody may frame it.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["reference.js"] = "text/javascript; charset=utf-8",
        ["reference.css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, ReferenceAsset> _assets = ContentTypes.ToFrozenDictionary(
        entry => entry.Key, entry => new ReferenceAsset(Read(entry.Key), entry.Value), StringComparer.Ordinal);

    public ReferenceAsset Page => _assets["index.html"];

    public ReferenceAsset? Asset(string name) => _assets.GetValueOrDefault(name);

    private static byte[] Read(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".OpenApi.Reference." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
