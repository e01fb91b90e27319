using System.Text;

namespace StreamFlow.Core.Federation.Signatures;

/// <summary>What of a request a signature can cover: its method, absolute target and header fields.</summary>
/// <param name="Headers">Field values by name, case-insensitively; repeated fields already joined with ", ".</param>
internal sealed record SignedRequestParts(string Method, Uri Target, IReadOnlyDictionary<string, string> Headers)
{
    public static SignedRequestParts Create(string method, Uri target, IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        var joined = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            var trimmed = values.Select(v => v.Trim(' ', '\t'));
            joined[name] = joined.TryGetValue(name, out var earlier)
                ? earlier + ", " + string.Join(", ", trimmed)
                : string.Join(", ", trimmed);
        }

        return new SignedRequestParts(method, target, joined);
    }
}

/// <summary>
/// The signature base of RFC 9421 §2.5: one line per covered component, then <c>"@signature-params"</c>. Component
/// parameters (<c>;sf</c>, <c>;key</c>, <c>;bs</c>, <c>;req</c>) are not supported and make the base unbuildable.
/// </summary>
internal static class SignatureBase
{
    /// <summary>The base, or null with the reason when a component is missing, repeated or unsupported.</summary>
    public static string? Build(SignedRequestParts request, SfInnerList signatureParams, out string? failure)
    {
        var text = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var component in signatureParams.Items)
        {
            if (component is not { Value: string name, Parameters.Count: 0 } || name.Length == 0 || name != name.ToLowerInvariant())
            {
                failure = "covered components must be lowercase names without parameters";
                return null;
            }

            if (!seen.Add(name))
            {
                failure = $"component \"{name}\" is covered twice";
                return null;
            }

            var value = name.StartsWith('@') ? Derived(request, name) : Field(request, name);
            if (value is null)
            {
                failure = $"component \"{name}\" is not in the request";
                return null;
            }

            text.Append('"').Append(name).Append("\": ").Append(value).Append('\n');
        }

        text.Append("\"@signature-params\": ").Append(StructuredFields.Serialize(signatureParams));
        failure = null;
        return text.ToString();
    }

    private static string? Field(SignedRequestParts request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : null;

    private static string? Derived(SignedRequestParts request, string name)
    {
        var target = request.Target;
        return name switch
        {
            "@method" => request.Method,
            "@target-uri" => target.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped),
            "@authority" => target.Authority.ToLowerInvariant(),
            "@scheme" => target.Scheme.ToLowerInvariant(),
            "@request-target" => target.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped),
            "@path" => target.AbsolutePath.Length == 0 ? "/" : target.AbsolutePath,
            "@query" => "?" + target.GetComponents(UriComponents.Query, UriFormat.UriEscaped),
            _ => null,
        };
    }
}
