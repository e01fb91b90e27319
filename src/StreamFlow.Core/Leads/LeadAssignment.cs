using StreamFlow.Core.Database;

namespace StreamFlow.Core.Leads;

/// <summary>The user a lead is assigned to, as the <c>lead.assigned</c> webhook names them.</summary>
public sealed record LeadAssignee(Guid UserId, string Name);

/// <summary>The <c>data</c> of a <c>lead.assigned</c> event (docs/webhooks.md).</summary>
/// <param name="OwnerUserId">The same id as <c>assignedTo.userId</c>, kept for receivers written before <c>assignedTo</c>.</param>
public sealed record LeadAssignedData(Guid LeadId, Guid OwnerUserId, LeadAssignee AssignedTo, DateTimeOffset AssignedAt)
{
    /// <summary>Reads the assignee's name in the assigning transaction, so the event names who owned the lead then.</summary>
    public static async Task<LeadAssignedData> ForAsync(DbTransactionScope scope, Guid leadId, Guid ownerUserId, DateTimeOffset assignedAt) =>
        new(leadId, ownerUserId, new LeadAssignee(ownerUserId, await LeadStore.UserNameAsync(scope, ownerUserId) ?? ""), assignedAt);
}
