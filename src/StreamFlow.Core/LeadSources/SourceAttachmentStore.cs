using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources;

internal sealed record SourceAttachmentRow(Guid Id, Guid LeadId, string Source, string Url, string Status, string? Reason, string? FileName, Guid? RfpId, DateTimeOffset CreatedAt);

internal static class SourceAttachmentStore
{
    private const string Columns = "id AS Id, lead_id AS LeadId, source AS Source, url AS Url, status AS Status, reason AS Reason, file_name AS FileName, rfp_id AS RfpId, created_at AS CreatedAt";

    private const string InsertSql = """
        INSERT INTO lead_source_attachments (id, tenant_id, lead_id, source, url, status, created_at, updated_at)
        VALUES (@Id, @TenantId, @LeadId, @Source, @Url, 'pending', @Now, @Now)
        ON CONFLICT (tenant_id, lead_id, url) DO NOTHING
        """;

    // Claimed rows become 'analyzing' at once, so a second worker skips them; the outcome then corrects the status.
    private const string ClaimSql = """
        UPDATE lead_source_attachments SET status = 'analyzing', updated_at = @Now
        WHERE id IN (SELECT id FROM lead_source_attachments WHERE status = 'pending' ORDER BY created_at LIMIT @Max FOR UPDATE SKIP LOCKED)
        RETURNING
        """ + " " + Columns;

    private const string FinishSql = "UPDATE lead_source_attachments SET status = @Status, reason = @Reason, file_name = @FileName, rfp_id = @RfpId, updated_at = @Now WHERE id = @Id";

    private const string ForLeadSql = "SELECT " + Columns + " FROM lead_source_attachments WHERE lead_id = @LeadId ORDER BY created_at, url";

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, string source, string url, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new { Id = Guid.CreateVersion7(), TenantId = tenantId, LeadId = leadId, Source = source, Url = url, Now = now }));

    public static async Task<IReadOnlyList<SourceAttachmentRow>> ClaimAsync(DbTransactionScope scope, int max, DateTimeOffset now) =>
        (await scope.Connection.QueryAsync<SourceAttachmentRow>(scope.Command(ClaimSql, new { Max = max, Now = now }))).ToList();

    public static Task FinishAsync(DbTransactionScope scope, Guid id, string status, string? reason, string? fileName, Guid? rfpId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(FinishSql, new { Id = id, Status = status, Reason = reason, FileName = fileName, RfpId = rfpId, Now = now }));

    public static async Task<IReadOnlyList<SourceAttachmentRow>> ForLeadAsync(DbTransactionScope scope, Guid leadId) =>
        (await scope.Connection.QueryAsync<SourceAttachmentRow>(scope.Command(ForLeadSql, new { LeadId = leadId }))).ToList();
}
