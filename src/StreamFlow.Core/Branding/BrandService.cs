using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Branding;

/// <summary>Who changes a brand: the audit system (client or provider), the actor and where the request came from.</summary>
public sealed record BrandActor(string System, string Actor, RequestOrigin Origin);

/// <summary>An email kind rendered in a brand, as a browser shows it (the logo inlined as a data: URI).</summary>
public sealed record BrandPreviewPage(string Kind, string Subject, string Html);

/// <summary>
/// Reads and changes brands: a business's own (its owner, or the provider for it) and the provider's, which is every
/// business's default. Every change is audited in the business's trail (the provider's own brand in the platform's).
/// </summary>
public sealed class BrandService(StreamFlowDatabase database, BrandResolver resolver, BlobServiceClient blobs, AuditLog audit, TimeProvider timeProvider, ILogger<BrandService> logger)
{
    /// <summary>The brand of <paramref name="tenantId"/> (null: the provider's): what was chosen and what mail uses.</summary>
    public async Task<Result<BrandView>> GetAsync(Guid? tenantId, CancellationToken cancellationToken)
    {
        var own = await ReadOwnAsync(tenantId, cancellationToken);
        return own.Succeeded ? await ViewAsync(tenantId, own.Value, cancellationToken) : own.Problem;
    }

    /// <summary>Replaces the text members of a brand (a null member falls back to the default again); the logo is kept.</summary>
    public async Task<Result<BrandView>> UpdateAsync(Guid? tenantId, BrandActor actor, BrandChange change, CancellationToken cancellationToken)
    {
        change = BrandValidation.Normalize(change);
        if (BrandValidation.Validate(change) is { } invalid)
        {
            return invalid;
        }

        var saved = await InBrandScopeAsync(tenantId, async scope =>
        {
            await BrandStore.SaveTextAsync(scope, tenantId, change, actor.Actor, timeProvider.GetUtcNow());
            await audit.AppendAsync(scope, new AuditEvent(actor.System, tenantId, actor.Actor, "branding.changed", Target(tenantId), AuditOutcome.Succeeded,
                actor.Origin, new JsonObject { ["set"] = new JsonArray([.. SetMembers(change).Select(m => JsonValue.Create(m))]) }));
            return Result<BrandSettings>.Success((await ReadRowAsync(scope, tenantId))!.ToSettings());
        }, cancellationToken);
        resolver.Forget(tenantId);
        return saved.Succeeded ? await ViewAsync(tenantId, saved.Value, cancellationToken) : saved.Problem;
    }

    /// <summary>Checks and stores a logo (<see cref="LogoInspector"/>); a refused one changes nothing.</summary>
    public async Task<Result<BrandView>> SetLogoAsync(Guid? tenantId, BrandActor actor, byte[] content, string? contentType, CancellationToken cancellationToken)
    {
        var inspected = LogoInspector.Inspect(content, contentType);
        if (!inspected.Succeeded)
        {
            return inspected.Problem;
        }

        if (tenantId is { } id && !await database.InTenantAsync(id, scope => BrandStore.TenantExistsAsync(scope, id), cancellationToken))
        {
            return Problem.NotFound("The business");
        }

        var (type, width, height) = inspected.Value;
        var logo = new LogoInfo(type, content.Length, width, height, Convert.ToHexStringLower(SHA256.HashData(content)));
        var blobName = BrandResolver.LogoBlobName(tenantId, logo);
        var container = blobs.GetBlobContainerClient(BlobContainerNames.Branding);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await container.GetBlobClient(blobName).UploadAsync(new BinaryData(content),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = type } }, cancellationToken);

        string? previous = null;
        var saved = await InBrandScopeAsync(tenantId, async scope =>
        {
            previous = (await ReadRowAsync(scope, tenantId, forUpdate: true))?.LogoBlob;
            await BrandStore.SaveLogoAsync(scope, tenantId, blobName, logo, actor.Actor, timeProvider.GetUtcNow());
            await audit.AppendAsync(scope, new AuditEvent(actor.System, tenantId, actor.Actor, "branding.logo_set", Target(tenantId), AuditOutcome.Succeeded,
                actor.Origin, new JsonObject { ["contentType"] = type, ["bytes"] = content.Length, ["width"] = width, ["height"] = height, ["sha256"] = logo.Sha256 }));
            return Result<BrandSettings>.Success((await ReadRowAsync(scope, tenantId))!.ToSettings());
        }, cancellationToken);
        resolver.Forget(tenantId);
        if (saved.Succeeded && previous is not null && previous != blobName)
        {
            await DeleteQuietlyAsync(previous, cancellationToken);
        }

        return saved.Succeeded ? await ViewAsync(tenantId, saved.Value, cancellationToken) : saved.Problem;
    }

    /// <summary>Removes a brand's logo (the default's shows again).</summary>
    public async Task<Result<BrandView>> RemoveLogoAsync(Guid? tenantId, BrandActor actor, CancellationToken cancellationToken)
    {
        string? previous = null;
        var saved = await InBrandScopeAsync(tenantId, async scope =>
        {
            previous = (await ReadRowAsync(scope, tenantId, forUpdate: true))?.LogoBlob;
            if (previous is null)
            {
                return Result<BrandSettings>.Success((await ReadRowAsync(scope, tenantId))?.ToSettings() ?? BrandSettings.Empty);
            }

            await BrandStore.SaveLogoAsync(scope, tenantId, null, null, actor.Actor, timeProvider.GetUtcNow());
            await audit.AppendAsync(scope, new AuditEvent(actor.System, tenantId, actor.Actor, "branding.logo_removed", Target(tenantId), AuditOutcome.Succeeded, actor.Origin));
            return Result<BrandSettings>.Success((await ReadRowAsync(scope, tenantId))!.ToSettings());
        }, cancellationToken);
        resolver.Forget(tenantId);
        if (saved.Succeeded && previous is not null)
        {
            await DeleteQuietlyAsync(previous, cancellationToken);
        }

        return saved.Succeeded ? await ViewAsync(tenantId, saved.Value, cancellationToken) : saved.Problem;
    }

    /// <summary>One kind of mail (<see cref="EmailKinds"/>) rendered in the brand of <paramref name="tenantId"/>, as HTML.</summary>
    public async Task<Result<BrandPreviewPage>> PreviewAsync(Guid? tenantId, string kind, CancellationToken cancellationToken)
    {
        if (tenantId is { } id && !await database.InTenantAsync(id, scope => BrandStore.TenantExistsAsync(scope, id), cancellationToken))
        {
            return Problem.NotFound("The business");
        }

        var brand = await resolver.ResolveAsync(tenantId, cancellationToken);
        var sample = EmailKinds.Samples(brand.DisplayName).FirstOrDefault(s => s.Kind == kind);
        if (sample is null)
        {
            return Problem.NotFound($"The email kind '{kind}' (known: {string.Join(", ", EmailKinds.Names)})");
        }

        var logoSource = brand.Logo is { } logo ? $"data:{logo.ContentType};base64,{Convert.ToBase64String(logo.Content)}" : null;
        var rendered = BrandedEmailLayout.Render(brand, sample.Subject, sample.Text, sample.Html, logoSource);
        return new BrandPreviewPage(kind, rendered.Subject, rendered.Html);
    }

    private async Task<Result<BrandSettings>> ReadOwnAsync(Guid? tenantId, CancellationToken cancellationToken) =>
        await InBrandScopeAsync(tenantId, async scope => Result<BrandSettings>.Success((await ReadRowAsync(scope, tenantId))?.ToSettings() ?? BrandSettings.Empty), cancellationToken);

    private async Task<BrandView> ViewAsync(Guid? tenantId, BrandSettings own, CancellationToken cancellationToken) =>
        new(own, EffectiveBrand.Of(await resolver.ResolveAsync(tenantId, cancellationToken)));

    /// <summary>Runs <paramref name="work"/> in the brand owner's transaction; a business that does not exist is a 404.</summary>
    private Task<Result<T>> InBrandScopeAsync<T>(Guid? tenantId, Func<DbTransactionScope, Task<Result<T>>> work, CancellationToken cancellationToken) =>
        tenantId is { } id
            ? database.InTenantAsync(id, async scope => await BrandStore.TenantExistsAsync(scope, id) ? await work(scope) : Problem.NotFound("The business"), cancellationToken)
            : database.InPlatformAsync(work, cancellationToken);

    private static Task<BrandRow?> ReadRowAsync(DbTransactionScope scope, Guid? tenantId, bool forUpdate = false) =>
        tenantId is null ? BrandStore.ProviderAsync(scope, forUpdate) : BrandStore.TenantAsync(scope, forUpdate);

    private async Task DeleteQuietlyAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            await blobs.GetBlobContainerClient(BlobContainerNames.Branding).GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (Azure.RequestFailedException exception)
        {
            logger.LogWarning(exception, "The replaced logo {Blob} could not be deleted", blobName);
        }
    }

    private static string Target(Guid? tenantId) => tenantId is { } id ? $"tenant:{id}" : "provider";

    private static IEnumerable<string> SetMembers(BrandChange change) =>
        new (string Name, string? Value)[]
        {
            ("displayName", change.DisplayName), ("primaryColor", change.PrimaryColor), ("accentColor", change.AccentColor),
            ("senderName", change.SenderName), ("replyTo", change.ReplyTo), ("footer", change.Footer),
        }.Where(m => m.Value is not null).Select(m => m.Name);
}
