using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.ClientSuccess;

/// <summary>Every business's churn signals as of a time, through the SECURITY DEFINER function client_success_signals.</summary>
internal static class ClientSuccessStore
{
    private const string SignalsSql = """
        SELECT tenant_id AS TenantId, tenant_name AS TenantName, industry AS Industry, tenant_age_days AS TenantAgeDays,
               logins_recent AS LoginsRecent, logins_prior AS LoginsPrior, active_users_recent AS ActiveUsersRecent,
               active_users_prior AS ActiveUsersPrior, seats AS Seats, owner_idle_days AS OwnerIdleDays,
               leads_recent AS LeadsRecent, leads_prior AS LeadsPrior, won_recent AS WonRecent, decided_recent AS DecidedRecent,
               won_prior AS WonPrior, decided_prior AS DecidedPrior, stage_changes_recent AS StageChangesRecent,
               stage_changes_prior AS StageChangesPrior, ai_calls_recent AS AiCallsRecent, ai_calls_prior AS AiCallsPrior,
               overdue_invoices AS OverdueInvoices, failed_payments AS FailedPayments, syncs_recent AS SyncsRecent,
               failed_syncs_recent AS FailedSyncsRecent, webhook_failures_recent AS WebhookFailuresRecent,
               base_fee_now AS BaseFeeNow, base_fee_before AS BaseFeeBefore, logins_early AS LoginsEarly,
               leads_early AS LeadsEarly, stage_changes_early AS StageChangesEarly, ai_calls_early AS AiCallsEarly,
               owner_logins_recent AS OwnerLoginsRecent, owner_logins_prior AS OwnerLoginsPrior, won_before AS WonBefore,
               decided_before AS DecidedBefore, use_weekly AS UseWeekly
        FROM client_success_signals(@AsOf)
        """;

    public static async Task<IReadOnlyList<ChurnSignals>> SignalsAsync(DbTransactionScope scope, DateTimeOffset asOf) =>
        (await scope.Connection.QueryAsync<ChurnSignals>(scope.Command(SignalsSql, new { AsOf = asOf }))).AsList();
}
