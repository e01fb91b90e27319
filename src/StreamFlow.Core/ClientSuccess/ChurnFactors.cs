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
            s => ChurnMeasures.RecentDrop(s, s.LoginsRecent, s.LoginsPrior),
            s => $"{s.LoginsRecent} sign-ins in the last 30 days against {PriorPer30(s, s.LoginsPrior)} a month before ({Change(s, s.LoginsRecent, s.LoginsPrior)})."),
        new("activeUserDrop", "Fewer people using it",
            s => ChurnMeasures.HasPriorBaseline(s) ? ChurnMeasures.Drop(s.ActiveUsersRecent, s.ActiveUsersPrior) : 0,
            s => $"{s.ActiveUsersRecent} people signed in during the last 30 days; {s.ActiveUsersPrior} did in the 60 days before."),
        new("leadDrop", "Lead volume falling",
            s => ChurnMeasures.RecentDrop(s, s.LeadsRecent, s.LeadsPrior),
            s => $"{s.LeadsRecent} leads in the last 30 days against {PriorPer30(s, s.LeadsPrior)} a month before ({Change(s, s.LeadsRecent, s.LeadsPrior)})."),
        new("winRateDrop", "Win rate falling",
            s => WinRate(s.WonPrior, s.DecidedPrior) - WinRate(s.WonRecent, s.DecidedRecent),
            s => $"Won {s.WonRecent} of {s.DecidedRecent} decided leads in the last 30 days against {s.WonPrior} of {s.DecidedPrior} in the 60 days before."),
        new("pipelineDrop", "Pipeline going quiet",
            s => ChurnMeasures.RecentDrop(s, s.StageChangesRecent, s.StageChangesPrior),
            s => $"{s.StageChangesRecent} stage changes in the last 30 days against {PriorPer30(s, s.StageChangesPrior)} a month before."),
        new("aiDrop", "AI use falling",
            s => ChurnMeasures.RecentDrop(s, s.AiCallsRecent, s.AiCallsPrior),
            s => $"{s.AiCallsRecent} AI calls in the last 30 days against {PriorPer30(s, s.AiCallsPrior)} a month before."),
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
            s => Math.Min(s.OwnerIdleDays, 90) / 30 * Math.Max(ChurnMeasures.RecentDrop(s, s.LoginsRecent, s.LoginsPrior), 0),
            s => $"No owner has signed in for {Math.Floor(s.OwnerIdleDays).ToString(CultureInfo.InvariantCulture)} days while the team's sign-ins fell to {s.LoginsRecent} in the last 30 days from {PriorPer30(s, s.LoginsPrior)} a month before."),
        new("usageFade", "Use fading for two months",
            s => ChurnMeasures.Fade(s, Usage(s)),
            s => $"{Describe(Usage(s))} sign-ins, stage changes and AI calls: fewer each month."),
        new("usageEarlierDrop", "Use fell the month before last",
            s => ChurnMeasures.EarlierDrop(s, Usage(s)),
            s => $"{Describe(Usage(s))} sign-ins, stage changes and AI calls."),
        new("loginFade", "Sign-ins fading for two months",
            s => ChurnMeasures.Fade(s, ChurnMeasures.Windows(s.LoginsRecent, s.LoginsPrior, s.LoginsEarly)),
            s => $"{Describe(ChurnMeasures.Windows(s.LoginsRecent, s.LoginsPrior, s.LoginsEarly))} sign-ins."),
        new("pipelineFade", "Pipeline fading for two months",
            s => ChurnMeasures.Fade(s, ChurnMeasures.Windows(s.StageChangesRecent, s.StageChangesPrior, s.StageChangesEarly)),
            s => $"{Describe(ChurnMeasures.Windows(s.StageChangesRecent, s.StageChangesPrior, s.StageChangesEarly))} stage changes."),
        new("ownerSignInDrop", "Owner signing in less",
            s => ChurnMeasures.RecentDrop(s, s.OwnerLoginsRecent, s.OwnerLoginsPrior),
            s => $"Owners signed in {s.OwnerLoginsRecent} times in the last 30 days against {PriorPer30(s, s.OwnerLoginsPrior)} a month before."),
        new("weeklyUseFall4", "Use falling week by week",
            s => ChurnMeasures.WeeklyFall(s, 4),
            s => $"Sign-ins, stage changes and AI calls in each of the last 4 weeks: {string.Join(", ", s.UseWeekly.TakeLast(4))}."),
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

    /// <summary>Sign-ins, stage changes and AI calls together: what the team does in StreamFlow, per 30-day window.</summary>
    private static Months Usage(ChurnSignals s) => ChurnMeasures.Windows(
        s.LoginsRecent + s.StageChangesRecent + s.AiCallsRecent, s.LoginsPrior + s.StageChangesPrior + s.AiCallsPrior, s.LoginsEarly + s.StageChangesEarly + s.AiCallsEarly);

    private static string Describe(Months m) => string.Create(CultureInfo.InvariantCulture,
        $"{m.Recent} in the last 30 days, {m.Middle} in the 30 before, {m.Early} in the 30 before those:");

    /// <summary>Won of decided with one pseudo-win and one pseudo-loss, so a handful of decisions does not swing it to 0 or 1.</summary>
    private static double WinRate(long won, long decided) => (won + 1.0) / (decided + 2.0);

    private static string PriorPer30(ChurnSignals s, long prior) =>
        ChurnMeasures.Per30(s, prior, 30, 90) is { } rate ? rate.ToString("0.#", CultureInfo.InvariantCulture) : "none (not a client then)";

    private static string Change(ChurnSignals s, long recent, long prior) => ChurnMeasures.Per30(s, prior, 30, 90) is { } rate and > 0
        && ChurnMeasures.Per30(s, recent, 0, 30) is { } now
        ? ((now - rate) / rate).ToString("+0%;-0%;0%", CultureInfo.InvariantCulture)
        : "no baseline";

    private static string Amount(decimal? fee) => fee?.ToString("0.00", CultureInfo.InvariantCulture) ?? "none";
}

/// <summary>Sign-ins, leads or use in the three 30-day windows before a cutoff: the last 30 days, 30-60 and 60-90 days ago.</summary>
public readonly record struct Months(long Recent, long Middle, long Early);

/// <summary>
/// How the factors turn counts into drops and trends. A window is read as a rate per 30 days over the part of it the
/// business was a client: a business that joined 40 days ago has 10 days of "prior", not 60, and no "early" at all. A
/// rate over fewer than <see cref="MinDays"/> days is no baseline, and a drop without a baseline is 0 — otherwise the
/// first weeks of a new client read as a rise from nothing, which lowered its risk in the shipped model's fit.
/// </summary>
public static class ChurnMeasures
{
    public const double MinDays = 15;

    /// <summary>The count's rate per 30 days over the days the business existed between <paramref name="fromDays"/> and <paramref name="toDays"/> before the cutoff; null under <see cref="MinDays"/>.</summary>
    public static double? Per30(ChurnSignals s, double count, int fromDays, int toDays)
    {
        var days = Math.Min(toDays, s.TenantAgeDays) - fromDays;
        return days < MinDays ? null : count * 30 / days;
    }

    public static bool HasPriorBaseline(ChurnSignals s) => Per30(s, 0, 30, 90) is not null;

    /// <summary>Minus the log of the later over the earlier monthly rate, add-one smoothed: 0 when flat, about 0.7 when halved.</summary>
    public static double Drop(double later, double earlier) => -Math.Log((later + 1) / (earlier + 1));

    /// <summary>The last 30 days against the monthly rate of the 60 before (0 without both).</summary>
    public static double RecentDrop(ChurnSignals s, long recent, long prior) => Drop(s, recent, 0, 30, prior, 30, 90);

    /// <summary>
    /// The smaller of the last two monthly drops (the last 30 days against the 30 before, those against the 30 before
    /// them), 0 unless both fell: a fade over three months, which a one-month dip (down, then flat or back up) is not.
    /// </summary>
    public static double Fade(ChurnSignals s, Months m) =>
        Per30(s, m.Early, 60, 90) is null ? 0 : Math.Max(0, Math.Min(Drop(s, m.Recent, 0, 30, m.Middle, 30, 60), EarlierDrop(s, m)));

    /// <summary>The month before last against the one before it: use 30-60 days ago against 60-90 days ago (0 without both).</summary>
    public static double EarlierDrop(ChurnSignals s, Months m) => Drop(s, m.Middle, 30, 60, m.Early, 60, 90);

    /// <summary>The three 30-day windows from the signals' recent, prior (60 days) and early (its older 30) counts.</summary>
    public static Months Windows(long recent, long prior, long early) => new(recent, prior - early, early);

    /// <summary>
    /// How fast weekly use (sign-ins, stage changes, AI calls) fell over the last <paramref name="weeks"/> weeks: minus the
    /// least-squares slope of ln(1 + use) per week, so 0.1 is about 10 % less each week; 0 for a business younger than that.
    /// </summary>
    public static double WeeklyFall(ChurnSignals s, int weeks)
    {
        if (s.UseWeekly.Length < weeks || s.TenantAgeDays < weeks * 7)
        {
            return 0;
        }

        var logs = s.UseWeekly[^weeks..].Select(n => Math.Log(1 + n)).ToArray();
        var meanX = (weeks - 1) / 2.0;
        var meanY = logs.Average();
        var covariance = logs.Select((y, x) => (x - meanX) * (y - meanY)).Sum();
        var variance = Enumerable.Range(0, weeks).Sum(x => (x - meanX) * (x - meanX));
        return -covariance / variance;
    }

    private static double Drop(ChurnSignals s, long later, int laterFrom, int laterTo, long earlier, int earlierFrom, int earlierTo) =>
        Per30(s, later, laterFrom, laterTo) is { } laterRate && Per30(s, earlier, earlierFrom, earlierTo) is { } earlierRate
            ? Drop(laterRate, earlierRate)
            : 0;
}
