using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

internal static class GoogleLsaConversationStore
{
    // Once per conversation: its resource name is in the activity's data, and a live lead is required.
    private const string AddOnceSql = """
        INSERT INTO lead_activities (id, tenant_id, lead_id, kind, body, actor, data, occurred_at)
        SELECT @Id, @TenantId, l.id, 'conversation', @Body, @Actor, @Data::jsonb, @Now
        FROM leads l
        WHERE l.id = @LeadId AND l.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM lead_activities a
                          WHERE a.tenant_id = @TenantId AND a.lead_id = @LeadId AND a.kind = 'conversation' AND a.data ->> 'googleLsaConversation' = @ResourceName)
        """;

    /// <summary>Whether the entry was added (false: it was there already, or the lead is deleted).</summary>
    public static async Task<bool> AddOnceAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, LsaConversationEntry entry, string actor, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(AddOnceSql, new
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, LeadId = leadId, entry.Body, Actor = actor, entry.Data, entry.ResourceName, Now = now,
        })) == 1;
}
