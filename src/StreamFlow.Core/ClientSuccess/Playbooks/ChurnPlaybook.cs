using System.Text.RegularExpressions;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.ClientSuccess.Playbooks;

/// <summary>
/// One action of a rule: <c>emailOwner</c> (subject and body, placeholders {{business}}, {{risk}}, {{reasons}}),
/// <c>createTask</c> (a follow-up for the account manager: title, assignee's address, due in days) or
/// <c>alertProvider</c> (a mail to the provider's address) or <c>offerCredit</c> (account credit of <c>amountMinor</c> in
/// <c>currency</c>'s minor units, printed with <c>reason</c>, refused when the credit the playbooks gave the business this
/// calendar year would exceed <c>yearlyLimitMinor</c>).
/// </summary>
public sealed record PlaybookActionSpec(
    string? Type,
    string? Subject = null,
    string? Body = null,
    string? Title = null,
    string? Assignee = null,
    int? DueInDays = null,
    long? AmountMinor = null,
    string? Currency = null,
    long? YearlyLimitMinor = null,
    string? Reason = null);

/// <summary>A new rule: when a business's risk is at least <paramref name="MinRisk"/> and (if given) <paramref name="Factor"/> is among its reasons.</summary>
public sealed record ChurnPlaybookInput(string? Name, double? MinRisk, string? Factor, IReadOnlyList<PlaybookActionSpec>? Actions);

public sealed record ChurnPlaybookRule(Guid Id, string Name, double MinRisk, string? Factor, IReadOnlyList<PlaybookActionSpec> Actions, bool Active, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>What one action did: <c>done</c>, <c>failed</c> or <c>refused</c> (over a limit), and to whom or why.</summary>
public sealed record PlaybookActionTaken(string Type, string Status, string Detail);

/// <summary>What one rule did for one business in one month, and whether the business stayed.</summary>
public sealed record PlaybookRun(
    Guid Id, Guid TenantId, Guid PlaybookId, DateOnly Period, double Risk, IReadOnlyList<string> Reasons, IReadOnlyList<PlaybookActionTaken> Actions,
    DateTimeOffset TriggeredAt, string Outcome, DateTimeOffset? OutcomeAt);

/// <summary>One evaluation: how many businesses were looked at, which rules acted, which had acted already this month.</summary>
public sealed record PlaybookEvaluation(DateOnly Period, int Businesses, int AlreadyActed, int OutcomesSettled, IReadOnlyList<PlaybookRun> Triggered);

public sealed record PlaybookRunList(IReadOnlyList<PlaybookRun> Items);

public sealed record ChurnPlaybookList(IReadOnlyList<ChurnPlaybookRule> Items);

internal static partial class ChurnPlaybookValidation
{
    public static readonly IReadOnlyList<string> ActionTypes = ["emailOwner", "createTask", "alertProvider", "offerCredit"];

    public static Problem? Validate(ChurnPlaybookInput input)
    {
        var errors = new ValidationErrors();
        errors.Required("name", input.Name, 100);
        if (input.MinRisk is not { } risk || !double.IsFinite(risk) || risk is < 0 or > 1)
        {
            errors.Add("minRisk", "is required: a probability from 0 to 1.");
        }

        if (input.Factor is { } factor && !ChurnPlaybooks.Covers(factor))
        {
            errors.Add("factor", $"'{factor}' is not a churn factor (see GET /api/v1/provider/tenants/{{id}}/churn-risk for their names).");
        }

        if (input.Actions is not { Count: > 0 and <= 5 } actions)
        {
            errors.Add("actions", "must hold 1 to 5 actions.");
            return errors.ToProblem();
        }

        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var at = $"actions[{i}]";
            switch (action.Type)
            {
                case "emailOwner":
                    errors.Required($"{at}.subject", action.Subject, 200);
                    errors.Required($"{at}.body", action.Body, 5000);
                    break;
                case "createTask":
                    errors.Required($"{at}.title", action.Title, 200);
                    if (action.Assignee is null || !Mailbox().IsMatch(action.Assignee))
                    {
                        errors.Add($"{at}.assignee", "is required: the account manager's email address.");
                    }

                    if (action.DueInDays is < 0 or > 90)
                    {
                        errors.Add($"{at}.dueInDays", "must be 0 to 90.");
                    }

                    break;
                case "alertProvider":
                    break;
                case "offerCredit":
                    errors.Required($"{at}.reason", action.Reason, 500);
                    if (!Billing.Currencies.IsInvoiceable(action.Currency))
                    {
                        errors.Add($"{at}.currency", "is required: the three-letter code of the currency the business is billed in (at most two decimals).");
                    }

                    if (action.AmountMinor is not (>= 1 and <= Billing.Credits.MinorUnits.Max))
                    {
                        errors.Add($"{at}.amountMinor", "is required: the credit one action offers, 1 to 1000000000 minor units (cents).");
                    }

                    if (action.YearlyLimitMinor is not { } limit || limit < 1 || limit > Billing.Credits.MinorUnits.Max)
                    {
                        errors.Add($"{at}.yearlyLimitMinor", "is required: the most the playbooks may credit one business in a calendar year, in minor units.");
                    }
                    else if (action.AmountMinor is { } amount && amount > limit)
                    {
                        errors.Add($"{at}.amountMinor", "must not exceed yearlyLimitMinor.");
                    }

                    break;
                default:
                    errors.Add($"{at}.type", $"must be one of {string.Join(", ", ActionTypes)}.");
                    break;
            }
        }

        return errors.ToProblem();
    }

    [GeneratedRegex(@"^[^@\s,;<>""]+@[^@\s,;<>""]+\.[^@\s,;<>""]+$")]
    private static partial Regex Mailbox();
}
