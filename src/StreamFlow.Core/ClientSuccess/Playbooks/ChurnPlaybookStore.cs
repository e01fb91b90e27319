using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.ClientSuccess.Playbooks;

/// <summary>
/// The SQL of churn playbooks: the provider's rules (churn_playbooks, a platform table), what they did for a business
/// (churn_playbook_runs, in the business's transaction) and the business facts an action needs (its owners, its status).
/// </summary>
internal static class ChurnPlaybookStore
{
    private const string RuleColumns = """
        id AS Id, name AS Name, min_risk AS MinRisk, factor AS Factor, actions::text AS Actions, active AS Active,
        created_by AS CreatedBy, created_at AS CreatedAt
        """;

    private const string InsertRuleSql = """
        INSERT INTO churn_playbooks (id, name, min_risk, factor, actions, active, created_by, created_at, updated_at)
        VALUES (@Id, @Name, @MinRisk, @Factor, @Actions::jsonb, true, @CreatedBy, @CreatedAt, @CreatedAt)
        """;

    private const string RulesSql = "SELECT " + RuleColumns + " FROM churn_playbooks ORDER BY created_at, id";

    private const string ActiveRulesSql = "SELECT " + RuleColumns + " FROM churn_playbooks WHERE active ORDER BY created_at, id";

    private const string DeactivateSql = "UPDATE churn_playbooks SET active = false, updated_at = @Now WHERE id = @Id";

    private const string ClaimRunSql = """
        INSERT INTO churn_playbook_runs (id, tenant_id, playbook_id, period, risk, reasons, triggered_at)
        VALUES (@Id, @TenantId, @PlaybookId, @Period, @Risk, @Reasons::jsonb, @TriggeredAt)
        ON CONFLICT (tenant_id, playbook_id, period) DO NOTHING
        """;

    private const string SetActionsSql = "UPDATE churn_playbook_runs SET actions = @Actions::jsonb WHERE id = @Id";

    private const string RunColumns = """
        id AS Id, tenant_id AS TenantId, playbook_id AS PlaybookId, period AS Period, risk AS Risk, reasons::text AS Reasons,
        actions::text AS Actions, triggered_at AS TriggeredAt, outcome AS Outcome, outcome_at AS OutcomeAt
        """;

    private const string RunsSql = "SELECT " + RunColumns + " FROM churn_playbook_runs ORDER BY triggered_at DESC, id LIMIT 500";

    private const string SettleOutcomesSql = """
        UPDATE churn_playbook_runs SET outcome = @Outcome, outcome_at = @Now
        WHERE outcome = 'pending' AND (@Outcome = 'churned' OR triggered_at <= @StayedBefore)
        """;

    private const string OwnersSql = "SELECT email FROM users WHERE status = 'active' AND role = 'owner' ORDER BY email";

    private const string TenantStatusSql = "SELECT status FROM tenants WHERE id = @TenantId";

    private const string TenantIdsSql = "SELECT id FROM tenants ORDER BY id";

    public static Task<int> InsertRuleAsync(DbTransactionScope scope, ChurnPlaybookRule rule, string actionsJson) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertRuleSql, new
        {
            rule.Id, rule.Name, rule.MinRisk, rule.Factor, Actions = actionsJson, rule.CreatedBy, rule.CreatedAt,
        }));

    public static async Task<IReadOnlyList<RuleRow>> RulesAsync(DbTransactionScope scope, bool activeOnly) =>
        (await scope.Connection.QueryAsync<RuleRow>(scope.Command(activeOnly ? ActiveRulesSql : RulesSql))).AsList();

    public static Task<int> DeactivateAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(DeactivateSql, new { Id = id, Now = now }));

    /// <summary>Records that a rule acts for a business this period; false when it already did (the unique key).</summary>
    public static async Task<bool> ClaimRunAsync(DbTransactionScope scope, Guid id, Guid tenantId, Guid playbookId, DateOnly period, double risk, string reasonsJson, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(ClaimRunSql, new
        {
            Id = id, TenantId = tenantId, PlaybookId = playbookId, Period = period, Risk = risk, Reasons = reasonsJson, TriggeredAt = now,
        })) == 1;

    public static Task<int> SetActionsAsync(DbTransactionScope scope, Guid id, string actionsJson) =>
        scope.Connection.ExecuteAsync(scope.Command(SetActionsSql, new { Id = id, Actions = actionsJson }));

    public static async Task<IReadOnlyList<RunRow>> RunsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<RunRow>(scope.Command(RunsSql))).AsList();

    /// <summary>Settles pending runs: all of them churned when the business left, those older than the horizon stayed otherwise.</summary>
    public static Task<int> SettleOutcomesAsync(DbTransactionScope scope, string outcome, DateTimeOffset stayedBefore, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SettleOutcomesSql, new { Outcome = outcome, StayedBefore = stayedBefore, Now = now }));

    public static async Task<IReadOnlyList<string>> OwnerEmailsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<string>(scope.Command(OwnersSql))).AsList();

    public static Task<string?> TenantStatusAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.QuerySingleOrDefaultAsync<string>(scope.Command(TenantStatusSql, new { TenantId = tenantId }));

    public static async Task<IReadOnlyList<Guid>> TenantIdsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<Guid>(scope.Command(TenantIdsSql))).AsList();
}

internal sealed record RuleRow(Guid Id, string Name, double MinRisk, string? Factor, string Actions, bool Active, string CreatedBy, DateTimeOffset CreatedAt);

internal sealed record RunRow(Guid Id, Guid TenantId, Guid PlaybookId, DateOnly Period, double Risk, string Reasons, string Actions, DateTimeOffset TriggeredAt, string Outcome, DateTimeOffset? OutcomeAt);
