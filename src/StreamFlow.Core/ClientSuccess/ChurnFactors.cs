using System.Globalization;

namespace StreamFlow.Core.ClientSuccess;

/// <summary>
/// One input of the churn model: how it is measured from a business's signals, and the sentence that names it as a
/// reason. A <paramref name="Monotone"/> factor is one where a larger value can only mean more risk (a drop, an overdue
/// invoice): its weight is kept at zero or above, so it is named as a reason only when the business is worse than
/// average on it, never because it did better. Seats and tenure may go either way.
/// </summary>
public sealed record ChurnFactor(string Name, string Title, Func<ChurnSignals, double> Measure, Func<ChurnSignals, string> Describe, bool Monotone = true);

/// <summary>The churn model's inputs, in the order of its weights (docs/client-success.md lists them).</summary>
public static class ChurnFactors
{
    public static readonly IReadOnlyList<ChurnFactor> All =
    [
        new("loginDrop", "Sign-ins falling",
            s => Drop(s.LoginsRecent, s.LoginsPrior / 2.0),
            s => $"{s.LoginsRecent} sign-ins in the last 30 days against {Per30(s.LoginsPrior)} a month before ({Change(s.LoginsRecent, s.LoginsPrior / 2.0)})."),
        new("activeUserDrop", "Fewer people using it",
            s => Drop(s.ActiveUsersRecent, s.ActiveUsersPrior),
            s => $"{s.ActiveUsersRecent} people signed in during the last 30 days; {s.ActiveUsersPrior} did in the 60 days before."),
        new("leadDrop", "Lead volume falling",
            s => Drop(s.LeadsRecent, s.LeadsPrior / 2.0),
            s => $"{s.LeadsRecent} leads in the last 30 days against {Per30(s.LeadsPrior)} a month before ({Change(s.LeadsRecent, s.LeadsPrior / 2.0)})."),
        new("winRateDrop", "Win rate falling",
            s => WinRate(s.WonPrior, s.DecidedPrior) - WinRate(s.WonRecent, s.DecidedRecent),
            s => $"Won {s.WonRecent} of {s.DecidedRecent} decided leads in the last 30 days against {s.WonPrior} of {s.DecidedPrior} in the 60 days before."),
        new("pipelineDrop", "Pipeline going quiet",
            s => Drop(s.StageChangesRecent, s.StageChangesPrior / 2.0),
            s => $"{s.StageChangesRecent} stage changes in the last 30 days against {Per30(s.StageChangesPrior)} a month before."),
        new("aiDrop", "AI use falling",
            s => Drop(s.AiCallsRecent, s.AiCallsPrior / 2.0),
            s => $"{s.AiCallsRecent} AI calls in the last 30 days against {Per30(s.AiCallsPrior)} a month before."),
        new("overdueInvoices", "Invoices overdue",
            s => Math.Min(s.OverdueInvoices, 3),
            s => $"{s.OverdueInvoices} invoice(s) past due and unpaid."),
        new("failedPayments", "Payments failing",
            s => Math.Min(s.FailedPayments, 3),
            s => $"{s.FailedPayments} invoice(s) whose payment failed."),
        new("failedSyncs", "Integrations failing",
            s => s.SyncsRecent == 0 ? 0 : (double)s.FailedSyncsRecent / s.SyncsRecent,
            s => $"{s.FailedSyncsRecent} of {s.SyncsRecent} connection syncs failed in the last 30 days."),
        new("webhookFailures", "Webhooks failing",
            s => Math.Log(1 + s.WebhookFailuresRecent),
            s => $"{s.WebhookFailuresRecent} webhook deliveries failed for good in the last 30 days."),
        new("planDowngrade", "Plan downgraded",
            s => s.BaseFeeBefore is > 0m && s.BaseFeeNow is { } now && now < s.BaseFeeBefore ? (double)(1m - now / s.BaseFeeBefore.Value) : 0,
            s => $"Base fee now {Amount(s.BaseFeeNow)}, {Amount(s.BaseFeeBefore)} 90 days ago."),
        new("ownerIdle", "Owner away",
            s => Math.Min(s.OwnerIdleDays, 90) / 30,
            s => $"No owner has signed in for {Math.Floor(s.OwnerIdleDays).ToString(CultureInfo.InvariantCulture)} days."),
        new("ownerAwayWhileSignInsFall", "Owner away while sign-ins fall",
            s => Math.Min(s.OwnerIdleDays, 90) / 30 * Math.Max(Drop(s.LoginsRecent, s.LoginsPrior / 2.0), 0),
            s => $"No owner has signed in for {Math.Floor(s.OwnerIdleDays).ToString(CultureInfo.InvariantCulture)} days while the team's sign-ins fell to {s.LoginsRecent} in the last 30 days from {Per30(s.LoginsPrior)} a month before."),
        new("usageFade", "Use fading for two months",
            s => Fade(Usage(s)),
            s => $"{Describe(Usage(s))} sign-ins, stage changes and AI calls: fewer each month."),
        new("usageEarlierDrop", "Use fell the month before last",
            s => Drop(Usage(s).Middle, Usage(s).Early),
            s => $"{Describe(Usage(s))} sign-ins, stage changes and AI calls."),
        new("loginFade", "Sign-ins fading for two months",
            s => Fade(Windows(s.LoginsRecent, s.LoginsPrior, s.LoginsEarly)),
            s => $"{Describe(Windows(s.LoginsRecent, s.LoginsPrior, s.LoginsEarly))} sign-ins."),
        new("pipelineFade", "Pipeline fading for two months",
            s => Fade(Windows(s.StageChangesRecent, s.StageChangesPrior, s.StageChangesEarly)),
            s => $"{Describe(Windows(s.StageChangesRecent, s.StageChangesPrior, s.StageChangesEarly))} stage changes."),
        new("seats", "Seats",
            s => Math.Log(1 + s.Seats),
            s => $"{s.Seats} active seat(s).", Monotone: false),
        new("tenure", "Time as a client",
            s => Math.Log(1 + s.TenantAgeDays / 30),
            s => $"A client for {Math.Floor(s.TenantAgeDays).ToString(CultureInfo.InvariantCulture)} days.", Monotone: false),
    ];

    public static double[] Measure(ChurnSignals signals)
    {
        var values = new double[All.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = All[i].Measure(signals);
        }

        return values;
    }

    /// <summary>Minus the log of recent over the prior monthly rate, add-one smoothed: 0 when flat, about 0.7 when halved.</summary>
    private static double Drop(double recent, double priorPer30) => -Math.Log((recent + 1) / (priorPer30 + 1));

    /// <summary>
    /// The smaller of the last two monthly drops (the last 30 days against the 30 before, those against the 30 before
    /// them), 0 unless both fell: a fade over three months, which a one-month dip (down, then flat or back up) is not.
    /// </summary>
    private static double Fade(Months months) => Math.Max(0, Math.Min(Drop(months.Recent, months.Middle), Drop(months.Middle, months.Early)));

    /// <summary>Sign-ins, stage changes and AI calls together: what the team does in StreamFlow, per 30-day window.</summary>
    private static Months Usage(ChurnSignals s) => Windows(
        s.LoginsRecent + s.StageChangesRecent + s.AiCallsRecent, s.LoginsPrior + s.StageChangesPrior + s.AiCallsPrior, s.LoginsEarly + s.StageChangesEarly + s.AiCallsEarly);

    /// <summary>The three 30-day windows from the signals' recent, prior (60 days) and early (its older 30) counts.</summary>
    private static Months Windows(long recent, long prior, long early) => new(recent, prior - early, early);

    private static string Describe(Months m) => string.Create(CultureInfo.InvariantCulture,
        $"{m.Recent} in the last 30 days, {m.Middle} in the 30 before, {m.Early} in the 30 before those:");

    private readonly record struct Months(long Recent, long Middle, long Early);

    /// <summary>Won of decided with one pseudo-win and one pseudo-loss, so a handful of decisions does not swing it to 0 or 1.</summary>
    private static double WinRate(long won, long decided) => (won + 1.0) / (decided + 2.0);

    private static string Per30(long prior) => (prior / 2.0).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Change(double recent, double priorPer30) => priorPer30 == 0
        ? "no baseline"
        : ((recent - priorPer30) / priorPer30).ToString("+0%;-0%;0%", CultureInfo.InvariantCulture);

    private static string Amount(decimal? fee) => fee?.ToString("0.00", CultureInfo.InvariantCulture) ?? "none";
}
