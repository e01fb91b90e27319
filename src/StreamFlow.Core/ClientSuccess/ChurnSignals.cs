namespace StreamFlow.Core.ClientSuccess;

/// <summary>
/// What one client business's churn risk is computed from, as of a time (docs/client-success.md): counts over the last
/// 30 days ("recent") and the 60 days before them ("prior"), the older half of those (60-90 days ago, "early") on its
/// own, the owners' own sign-ins, the win rate of the 275 days before those 90, the use of each of the last 12 weeks,
/// and the state of its billing, integrations and seats.
/// Counts only, never a lead, contact or user.
/// </summary>
public sealed record ChurnSignals
{
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string Industry { get; init; } = "";
    public double TenantAgeDays { get; init; }
    public long LoginsRecent { get; init; }
    public long LoginsPrior { get; init; }
    public long ActiveUsersRecent { get; init; }
    public long ActiveUsersPrior { get; init; }
    public long Seats { get; init; }
    public double OwnerIdleDays { get; init; }
    public long LeadsRecent { get; init; }
    public long LeadsPrior { get; init; }
    public long WonRecent { get; init; }
    public long DecidedRecent { get; init; }
    public long WonPrior { get; init; }
    public long DecidedPrior { get; init; }
    public long StageChangesRecent { get; init; }
    public long StageChangesPrior { get; init; }
    public long AiCallsRecent { get; init; }
    public long AiCallsPrior { get; init; }
    public long OverdueInvoices { get; init; }
    public long FailedPayments { get; init; }
    public long SyncsRecent { get; init; }
    public long FailedSyncsRecent { get; init; }
    public long WebhookFailuresRecent { get; init; }
    public decimal? BaseFeeNow { get; init; }
    public decimal? BaseFeeBefore { get; init; }
    public long LoginsEarly { get; init; }
    public long LeadsEarly { get; init; }
    public long StageChangesEarly { get; init; }
    public long AiCallsEarly { get; init; }
    public long OwnerLoginsRecent { get; init; }
    public long OwnerLoginsPrior { get; init; }
    public long WonBefore { get; init; }
    public long DecidedBefore { get; init; }

    /// <summary>Sign-ins + stage changes + AI calls in each of the last 12 weeks, oldest first.</summary>
    public long[] UseWeekly { get; init; } = [];
}
