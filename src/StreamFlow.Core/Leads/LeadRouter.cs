using System.Text.Json.Nodes;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Leads;

/// <summary>Territories and other routing preferences of a tenant; absent fields mean "any".</summary>
public sealed record RoutingSettings(IReadOnlyList<TerritoryRule>? Territories = null, IReadOnlyList<string>? EligibleRoles = null);

/// <summary>Leads whose state or postal code prefix matches go to one of <see cref="UserIds"/>, the least loaded first.</summary>
public sealed record TerritoryRule(string? State, string? PostalCodePrefix, IReadOnlyList<Guid> UserIds)
{
    /// <summary>Whether the lead's state and postal code fall in the territory (a rule naming neither covers nothing).</summary>
    public bool Covers(Lead lead)
    {
        ArgumentNullException.ThrowIfNull(lead);
        return (State is not null || PostalCodePrefix is not null)
            && (State is null || string.Equals(State, lead.State, StringComparison.OrdinalIgnoreCase))
            && (PostalCodePrefix is null || (lead.PostalCode?.StartsWith(PostalCodePrefix, StringComparison.OrdinalIgnoreCase) ?? false));
    }
}

/// <summary>
/// Assigns unowned leads: a territory rule (state or postal code prefix) narrows the candidates, then the eligible
/// user with the fewest open leads gets it (ties go to whoever was assigned least recently: round robin).
/// </summary>
public sealed class LeadRouter
{
    private static readonly string[] DefaultEligibleRoles = ["staff", "manager"];

    internal async Task<RoutingRound> PrepareAsync(DbTransactionScope scope, RoutingSettings settings) =>
        Prepare(settings, await LeadStore.RoutingCandidatesAsync(scope));

    /// <summary>A round over the tenant's active users (<see cref="LeadStore.RoutingCandidatesAsync"/>), of the eligible roles only.</summary>
    internal static RoutingRound Prepare(RoutingSettings settings, List<Candidate> activeUsers)
    {
        var roles = settings.EligibleRoles is { Count: > 0 } configured ? configured : DefaultEligibleRoles;
        return new RoutingRound(activeUsers.Where(u => roles.Contains(u.Role)).ToList(), settings.Territories ?? []);
    }

    internal static Task AssignAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, Guid owner, DateTimeOffset now) =>
        LeadStore.AssignOwnerAsync(scope, tenantId, leadId, owner, new JsonObject { ["ownerUserId"] = owner.ToString(), ["by"] = "routing" }.ToJsonString(), now);

    internal sealed record Candidate
    {
        public Guid UserId { get; init; }

        public string Name { get; init; } = "";

        public string Role { get; init; } = "";

        public long OpenLeads { get; set; }

        public DateTimeOffset? LastAssigned { get; set; }
    }

    /// <summary>One batch's view of the candidates; loads are updated as leads are handed out.</summary>
    internal sealed class RoutingRound(List<Candidate> candidates, IReadOnlyList<TerritoryRule> territories)
    {
        public Candidate? Assign(Lead lead)
        {
            var pool = candidates;
            var territory = territories.FirstOrDefault(t => t.Covers(lead));
            if (territory is not null)
            {
                var inTerritory = candidates.Where(c => territory.UserIds.Contains(c.UserId)).ToList();
                if (inTerritory.Count > 0)
                {
                    pool = inTerritory;
                }
            }

            var chosen = pool.OrderBy(c => c.OpenLeads).ThenBy(c => c.LastAssigned ?? DateTimeOffset.MinValue).FirstOrDefault();
            if (chosen is null)
            {
                return null;
            }

            chosen.OpenLeads++;
            chosen.LastAssigned = DateTimeOffset.MaxValue;
            return chosen;
        }
    }
}
