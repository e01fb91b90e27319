using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Branding;

/// <summary>
/// The one place a brand is resolved: a business's own members over the provider's, the provider's over
/// <see cref="Brand.BuiltIn"/>, with the logo's bytes. Resolved brands are cached for a minute per instance (emails go
/// out in bursts: a billing run, a report morning); a change made here forgets the cache at once, one made on another
/// instance shows within the minute. A brand that cannot be read never stops a mail: it goes out in the built-in brand.
/// </summary>
public sealed class BrandResolver(StreamFlowDatabase database, BlobServiceClient blobs, TimeProvider timeProvider, ILogger<BrandResolver> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, (Brand Brand, DateTimeOffset Until)> _cache = new();

    /// <summary>The brand of <paramref name="tenantId"/>'s mail and documents; null for the provider's own.</summary>
    public async Task<Brand> ResolveAsync(Guid? tenantId, CancellationToken cancellationToken)
    {
        var key = tenantId ?? Guid.Empty;
        var now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Brand;
        }

        Brand brand;
        try
        {
            var provider = (await database.InPlatformAsync(scope => BrandStore.ProviderAsync(scope), cancellationToken))?.ToSettings();
            var own = tenantId is { } id
                ? (await database.InTenantAsync(id, scope => BrandStore.TenantAsync(scope), cancellationToken))?.ToSettings()
                : null;
            brand = await ComposeAsync(tenantId, own, provider, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Could not resolve the brand of {TenantId}; the built-in brand is used", tenantId);
            return Brand.BuiltIn;
        }

        _cache[key] = (brand, now + CacheLifetime);
        return brand;
    }

    /// <summary>
    /// The name a document (an invoice, a quote) is issued under: the display name the brand's owner chose, or
    /// <paramref name="fallback"/> (the business's or the provider's configured name) when it chose none.
    /// </summary>
    public async Task<string> DocumentNameAsync(Guid? tenantId, string fallback, CancellationToken cancellationToken) =>
        (await ResolveAsync(tenantId, cancellationToken)).ChosenName ?? fallback;

    /// <summary>Forgets a cached brand after a change (the provider's: every brand, since all fall back to it).</summary>
    public void Forget(Guid? tenantId)
    {
        if (tenantId is { } id)
        {
            _cache.TryRemove(id, out _);
        }
        else
        {
            _cache.Clear();
        }
    }

    /// <summary>The effective brand from its layers (<paramref name="own"/> is null for the provider's own brand).</summary>
    internal async Task<Brand> ComposeAsync(Guid? tenantId, BrandSettings? own, BrandSettings? provider, CancellationToken cancellationToken)
    {
        var builtIn = Brand.BuiltIn;
        var displayName = own?.DisplayName ?? provider?.DisplayName ?? builtIn.DisplayName;
        var logoOwner = own?.Logo is not null ? tenantId : provider?.Logo is not null ? null : (Guid?)Guid.Empty;
        var logoInfo = own?.Logo ?? provider?.Logo;
        BrandLogo? logo = null;
        if (logoInfo is not null && logoOwner != Guid.Empty)
        {
            logo = await DownloadAsync(LogoBlobName(logoOwner, logoInfo), logoInfo, cancellationToken);
        }

        return new Brand(
            displayName,
            own?.PrimaryColor ?? provider?.PrimaryColor ?? builtIn.PrimaryColor,
            own?.AccentColor ?? provider?.AccentColor ?? builtIn.AccentColor,
            own?.SenderName ?? own?.DisplayName ?? provider?.SenderName ?? provider?.DisplayName ?? builtIn.SenderName,
            own?.ReplyTo ?? provider?.ReplyTo,
            own?.Footer ?? provider?.Footer,
            logo)
        {
            ProductName = provider?.DisplayName ?? builtIn.DisplayName,
            ChosenName = tenantId is null ? provider?.DisplayName : own?.DisplayName,
        };
    }

    /// <summary>Where a logo's bytes live: one blob per content, so a cached brand never reads a half-replaced logo.</summary>
    internal static string LogoBlobName(Guid? tenantId, LogoInfo logo) =>
        (tenantId is { } id ? $"tenants/{id:N}" : "provider") + $"/logo-{logo.Sha256[..16]}" + logo.ContentType switch
        {
            "image/png" => ".png",
            "image/jpeg" => ".jpg",
            _ => ".svg",
        };

    private async Task<BrandLogo?> DownloadAsync(string blobName, LogoInfo info, CancellationToken cancellationToken)
    {
        try
        {
            var content = await blobs.GetBlobContainerClient(BlobContainerNames.Branding).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return new BrandLogo(info.ContentType, content.Value.Content.ToArray(), info.Width, info.Height);
        }
        catch (Azure.RequestFailedException exception)
        {
            logger.LogWarning(exception, "The brand logo {Blob} could not be read; mail goes out without it", blobName);
            return null;
        }
    }
}
