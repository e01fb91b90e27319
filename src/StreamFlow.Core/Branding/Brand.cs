namespace StreamFlow.Core.Branding;

/// <summary>
/// The brand every email and document is dressed in: a business's own members over the provider's, the provider's
/// over the built-in default. <see cref="SenderName"/> is the display name of the From address (the address itself
/// stays the relay's, so SPF and DKIM keep passing); replies go to <see cref="ReplyTo"/> when set.
/// </summary>
public sealed record Brand(
    string DisplayName,
    string PrimaryColor,
    string AccentColor,
    string SenderName,
    string? ReplyTo,
    string? Footer,
    BrandLogo? Logo)
{
    public static Brand BuiltIn { get; } = new("StreamFlow", "#1F4E79", "#F2A900", "StreamFlow", null, null, null);

    /// <summary>What the product is called in mail text: the provider's display name (a business's brand never renames the product).</summary>
    public string ProductName { get; init; } = "StreamFlow";

    /// <summary>The display name its owner chose, if any: documents are issued under it, else under their own name.</summary>
    public string? ChosenName { get; init; }
}

/// <summary>A checked logo as emails and previews embed it.</summary>
public sealed record BrandLogo(string ContentType, byte[] Content, int Width, int Height);

/// <summary>What one owner of a brand (a business, or the provider) chose; null members fall back to the default.</summary>
public sealed record BrandSettings(
    string? DisplayName,
    string? PrimaryColor,
    string? AccentColor,
    string? SenderName,
    string? ReplyTo,
    string? Footer,
    LogoInfo? Logo,
    string? UpdatedBy,
    DateTimeOffset? UpdatedAt)
{
    public static BrandSettings Empty { get; } = new(null, null, null, null, null, null, null, null, null);
}

/// <summary>The stored logo's description (its bytes stay in Blob storage).</summary>
public sealed record LogoInfo(string ContentType, int Bytes, int Width, int Height, string Sha256);

/// <summary>
/// A brand change: every member is replaced (null clears it, so the default applies again). Colours are #RRGGBB;
/// replyTo an email address; footer plain text (at most 1,000 characters, line breaks kept).
/// </summary>
public sealed record BrandChange(
    string? DisplayName,
    string? PrimaryColor,
    string? AccentColor,
    string? SenderName,
    string? ReplyTo,
    string? Footer);

/// <summary>A brand as its owner reads it: what it chose, and what emails use once the defaults fill the gaps.</summary>
public sealed record BrandView(BrandSettings Own, EffectiveBrand Effective);

/// <summary>The effective brand without logo bytes (the logo is described, not inlined).</summary>
public sealed record EffectiveBrand(
    string DisplayName,
    string PrimaryColor,
    string AccentColor,
    string SenderName,
    string? ReplyTo,
    string? Footer,
    bool HasLogo)
{
    public static EffectiveBrand Of(Brand brand) =>
        new(brand.DisplayName, brand.PrimaryColor, brand.AccentColor, brand.SenderName, brand.ReplyTo, brand.Footer, brand.Logo is not null);
}
