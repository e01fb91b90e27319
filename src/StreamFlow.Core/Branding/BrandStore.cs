using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Branding;

/// <summary>
/// The SQL of brands: a business's row (tenant_branding, in its tenant transaction) and the provider's single row
/// (provider_branding, a platform table). Both have the same columns, so one row type serves both.
/// </summary>
internal static class BrandStore
{
    private const string Columns = """
        display_name AS DisplayName, primary_color AS PrimaryColor, accent_color AS AccentColor, sender_name AS SenderName,
        reply_to AS ReplyTo, footer AS Footer, logo_blob AS LogoBlob, logo_content_type AS LogoContentType, logo_bytes AS LogoBytes,
        logo_width AS LogoWidth, logo_height AS LogoHeight, logo_sha256 AS LogoSha256, updated_by AS UpdatedBy, updated_at AS UpdatedAt
        """;

    private const string TenantSql = "SELECT " + Columns + " FROM tenant_branding";

    private const string TenantLockSql = "SELECT " + Columns + " FROM tenant_branding FOR UPDATE";

    private const string ProviderSql = "SELECT " + Columns + " FROM provider_branding WHERE id = 1";

    private const string ProviderLockSql = "SELECT " + Columns + " FROM provider_branding WHERE id = 1 FOR UPDATE";

    private const string TenantExistsSql = "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @TenantId)";

    private const string UpsertTenantTextSql = """
        INSERT INTO tenant_branding (tenant_id, display_name, primary_color, accent_color, sender_name, reply_to, footer, updated_by, updated_at)
        VALUES (@TenantId, @DisplayName, @PrimaryColor, @AccentColor, @SenderName, @ReplyTo, @Footer, @UpdatedBy, @UpdatedAt)
        ON CONFLICT (tenant_id) DO UPDATE SET display_name = EXCLUDED.display_name, primary_color = EXCLUDED.primary_color,
            accent_color = EXCLUDED.accent_color, sender_name = EXCLUDED.sender_name, reply_to = EXCLUDED.reply_to,
            footer = EXCLUDED.footer, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
        """;

    private const string UpsertProviderTextSql = """
        INSERT INTO provider_branding (id, display_name, primary_color, accent_color, sender_name, reply_to, footer, updated_by, updated_at)
        VALUES (1, @DisplayName, @PrimaryColor, @AccentColor, @SenderName, @ReplyTo, @Footer, @UpdatedBy, @UpdatedAt)
        ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, primary_color = EXCLUDED.primary_color,
            accent_color = EXCLUDED.accent_color, sender_name = EXCLUDED.sender_name, reply_to = EXCLUDED.reply_to,
            footer = EXCLUDED.footer, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
        """;

    private const string UpsertTenantLogoSql = """
        INSERT INTO tenant_branding (tenant_id, logo_blob, logo_content_type, logo_bytes, logo_width, logo_height, logo_sha256, updated_by, updated_at)
        VALUES (@TenantId, @LogoBlob, @LogoContentType, @LogoBytes, @LogoWidth, @LogoHeight, @LogoSha256, @UpdatedBy, @UpdatedAt)
        ON CONFLICT (tenant_id) DO UPDATE SET logo_blob = EXCLUDED.logo_blob, logo_content_type = EXCLUDED.logo_content_type,
            logo_bytes = EXCLUDED.logo_bytes, logo_width = EXCLUDED.logo_width, logo_height = EXCLUDED.logo_height,
            logo_sha256 = EXCLUDED.logo_sha256, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
        """;

    private const string UpsertProviderLogoSql = """
        INSERT INTO provider_branding (id, logo_blob, logo_content_type, logo_bytes, logo_width, logo_height, logo_sha256, updated_by, updated_at)
        VALUES (1, @LogoBlob, @LogoContentType, @LogoBytes, @LogoWidth, @LogoHeight, @LogoSha256, @UpdatedBy, @UpdatedAt)
        ON CONFLICT (id) DO UPDATE SET logo_blob = EXCLUDED.logo_blob, logo_content_type = EXCLUDED.logo_content_type,
            logo_bytes = EXCLUDED.logo_bytes, logo_width = EXCLUDED.logo_width, logo_height = EXCLUDED.logo_height,
            logo_sha256 = EXCLUDED.logo_sha256, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
        """;

    public static Task<BrandRow?> TenantAsync(DbTransactionScope scope, bool forUpdate = false) =>
        scope.Connection.QuerySingleOrDefaultAsync<BrandRow>(scope.Command(forUpdate ? TenantLockSql : TenantSql));

    public static Task<BrandRow?> ProviderAsync(DbTransactionScope scope, bool forUpdate = false) =>
        scope.Connection.QuerySingleOrDefaultAsync<BrandRow>(scope.Command(forUpdate ? ProviderLockSql : ProviderSql));

    public static Task<bool> TenantExistsAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(TenantExistsSql, new { TenantId = tenantId }));

    public static Task<int> SaveTextAsync(DbTransactionScope scope, Guid? tenantId, BrandChange change, string updatedBy, DateTimeOffset updatedAt) =>
        scope.Connection.ExecuteAsync(scope.Command(tenantId is null ? UpsertProviderTextSql : UpsertTenantTextSql, new
        {
            TenantId = tenantId,
            change.DisplayName,
            change.PrimaryColor,
            change.AccentColor,
            change.SenderName,
            change.ReplyTo,
            change.Footer,
            UpdatedBy = updatedBy,
            UpdatedAt = updatedAt,
        }));

    /// <summary>Sets (or, with a null <paramref name="blob"/> and <paramref name="logo"/>, clears) the logo.</summary>
    public static Task<int> SaveLogoAsync(DbTransactionScope scope, Guid? tenantId, string? blob, LogoInfo? logo, string updatedBy, DateTimeOffset updatedAt) =>
        scope.Connection.ExecuteAsync(scope.Command(tenantId is null ? UpsertProviderLogoSql : UpsertTenantLogoSql, new
        {
            TenantId = tenantId,
            LogoBlob = blob,
            LogoContentType = logo?.ContentType,
            LogoBytes = logo?.Bytes,
            LogoWidth = logo?.Width,
            LogoHeight = logo?.Height,
            LogoSha256 = logo?.Sha256,
            UpdatedBy = updatedBy,
            UpdatedAt = updatedAt,
        }));
}

/// <summary>A brand row of either table.</summary>
internal sealed record BrandRow(
    string? DisplayName,
    string? PrimaryColor,
    string? AccentColor,
    string? SenderName,
    string? ReplyTo,
    string? Footer,
    string? LogoBlob,
    string? LogoContentType,
    int? LogoBytes,
    int? LogoWidth,
    int? LogoHeight,
    string? LogoSha256,
    string UpdatedBy,
    DateTimeOffset UpdatedAt)
{
    public BrandSettings ToSettings() => new(
        DisplayName, PrimaryColor, AccentColor, SenderName, ReplyTo, Footer,
        LogoBlob is null || LogoContentType is null ? null : new LogoInfo(LogoContentType, LogoBytes ?? 0, LogoWidth ?? 0, LogoHeight ?? 0, LogoSha256 ?? ""),
        UpdatedBy, UpdatedAt);
}
