namespace StreamFlow.Core.ClientSuccess;

/// <summary>A suggested action for a reason: who on the provider's side does it, and what.</summary>
public sealed record PlaybookAction(string Reason, string Owner, string Action);

/// <summary>The provider's playbook: the actions suggested for each factor when it is among a business's reasons.</summary>
public static class ChurnPlaybooks
{
    private static readonly Dictionary<string, (string Owner, string Action)[]> Actions = new(StringComparer.Ordinal)
    {
        ["loginDrop"] = [("account manager", "Book a check-in call with the owner: ask what the team uses instead."),
            ("customer success", "Offer a 30-minute refresher for the team on the lead inbox and mobile app.")],
        ["activeUserDrop"] = [("customer success", "List with the owner who stopped signing in and re-invite or retrain them.")],
        ["leadDrop"] = [("customer success", "Review the business's lead sources with it: web forms still published, connections still syncing, ad spend unchanged.")],
        ["winRateDrop"] = [("account manager", "Walk the owner through its benchmark position (speed to first contact, conversion) and the follow-up workflow templates.")],
        ["pipelineDrop"] = [("customer success", "Suggest a follow-up workflow that creates tasks for leads untouched for 3 days.")],
        ["aiDrop"] = [("customer success", "Show the owner the AI features it stopped using (scoring, drafting) and what they cost it.")],
        ["overdueInvoices"] = [("billing", "Call about the overdue invoices before dunning escalates; offer a payment plan."),
            ("account manager", "If the business is otherwise healthy, offer a credit note within your discount limit.")],
        ["failedPayments"] = [("billing", "Ask the owner to update the card on file; send the payment link again.")],
        ["failedSyncs"] = [("support", "Fix or reconnect the failing connection and tell the owner when leads flow again.")],
        ["webhookFailures"] = [("support", "Check the failing webhook endpoint with the business's developer; resend the failed deliveries once fixed.")],
        ["planDowngrade"] = [("account manager", "Ask why the plan was downgraded and which features the business values; review its plan fit.")],
        ["ownerIdle"] = [("account manager", "Email the owner a one-page summary of the account (leads, won revenue, benchmark) and offer a call.")],
        ["ownerAwayWhileSignInsFall"] = [("account manager", "Call the owner directly, not the team: ask whether the business still means to run on StreamFlow and what would change that."),
            ("customer success", "Agree with the owner who on the team owns StreamFlow day to day, and book a session with that person.")],
        ["usageFade"] = [("account manager", "Call the owner: two months of less use is a decision forming; ask what the team works in now and what would bring it back."),
            ("customer success", "Pick the one workflow the team used most three months ago and rebuild it with them in a 30-minute session.")],
        ["usageEarlierDrop"] = [("customer success", "Use fell two months ago: ask the owner what changed then (staff, season, a competitor) and whether it has recovered.")],
        ["loginFade"] = [("customer success", "List with the owner who signs in less each month and re-invite or retrain them.")],
        ["pipelineFade"] = [("customer success", "Leads are moved less each month: suggest a follow-up workflow that creates tasks for leads untouched for 3 days.")],
        ["ownerSignInDrop"] = [("account manager", "The owner signs in less than before: ask the owner directly how StreamFlow fits the business now and who on the team runs it day to day.")],
        ["weeklyUseFall4"] = [("customer success", "Use has fallen week after week this month: reach the team this week, while the habit is still there, and ask what it is stuck on.")],
        ["seats"] = [("customer success", "Small teams depend on one person: make sure a second user knows the system.")],
        ["tenure"] = [("customer success", "Run the onboarding check: first lead source connected, first workflow live, team invited.")],
    };

    public static IReadOnlyList<PlaybookAction> For(IEnumerable<string> reasons) =>
        reasons.SelectMany(reason => Actions.TryGetValue(reason, out var actions)
                ? actions.Select(a => new PlaybookAction(reason, a.Owner, a.Action))
                : [])
            .ToList();

    /// <summary>Every factor has actions: a factor without any would be a reason the provider cannot act on.</summary>
    public static bool Covers(string factor) => Actions.ContainsKey(factor);
}
