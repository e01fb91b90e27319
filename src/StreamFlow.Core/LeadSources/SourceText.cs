namespace StreamFlow.Core.LeadSources;

/// <summary>How a vendor's free text becomes lead fields: trimmed, empty as null, cut to the field's length.</summary>
internal static class SourceText
{
    public static string? Clip(string? value, int max) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim() is var trimmed && trimmed.Length > max ? trimmed[..max] : value.Trim();

    /// <summary>"Ada Lovelace King" → ("Ada", "Lovelace King"); each part at most 200 characters.</summary>
    public static (string? First, string? Last) SplitName(string? fullName)
    {
        if (string.IsNullOrWhiteSpace(fullName))
        {
            return (null, null);
        }

        var parts = fullName.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        return (Clip(parts[0], 200), parts.Length > 1 ? Clip(parts[1], 200) : null);
    }
}
