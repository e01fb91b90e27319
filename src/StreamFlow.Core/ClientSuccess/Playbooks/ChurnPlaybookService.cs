using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.ClientSuccess.Playbooks;

/// <summary>
/// The provider's churn playbooks (docs/client-success.md): rules evaluated against the churn risk of every active
/// business (nightly, or for one business on demand). A rule acts for a business at most once per calendar month
/// (the run is claimed by a unique key before anything is sent); each action is audited in the business's trail; a
/// run's outcome is settled later: <c>churned</c> when the business is suspended, <c>stayed</c> once it is still
/// active <see cref="OutcomeHorizonDays"/> days after the run.
/// </summary>
public sealed class ChurnPlaybookService(
    StreamFlowDatabase database,
    ClientSuccessService clientSuccess,
    Billing.Credits.CreditNoteService creditNotes,
    EmailSender email,
    AuditLog audit,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<ChurnPlaybookService> logger)
{
    public const int OutcomeHorizonDays = 90;

    public async Task<Result<ChurnPlaybookRule>> CreateAsync(ChurnPlaybookInput input, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (ChurnPlaybookValidation.Validate(input) is { } invalid)
        {
            return invalid;
        }

        var rule = new ChurnPlaybookRule(Guid.CreateVersion7(), input.Name!.Trim(), input.MinRisk!.Value, input.Factor, input.Actions!, true, actor, time.GetUtcNow());
        await database.InPlatformAsync(async scope =>
        {
            await ChurnPlaybookStore.InsertRuleAsync(scope, rule, JsonSerializer.Serialize(rule.Actions, StreamFlowJson.Options));
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Provider, null, actor, "client_success.playbook.created", $"playbook:{rule.Id}",
                AuditOutcome.Succeeded, origin, new JsonObject { ["name"] = rule.Name, ["minRisk"] = rule.MinRisk, ["factor"] = rule.Factor }));
            return true;
        }, cancellationToken);
        return rule;
    }

    public async Task<ChurnPlaybookList> ListAsync(CancellationToken cancellationToken) =>
        new((await database.InPlatformAsync(scope => ChurnPlaybookStore.RulesAsync(scope, activeOnly: false), cancellationToken)).Select(ToRule).ToList());

    /// <summary>Stops a rule (its runs and their outcomes stay).</summary>
    public async Task<Result<bool>> DeactivateAsync(Guid id, string actor, RequestOrigin origin, CancellationToken cancellationToken) =>
        await database.InPlatformAsync(async scope =>
        {
            if (await ChurnPlaybookStore.DeactivateAsync(scope, id, time.GetUtcNow()) == 0)
            {
                return Result<bool>.Failure(Problem.NotFound("The playbook"));
            }

            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Provider, null, actor, "client_success.playbook.deactivated", $"playbook:{id}", AuditOutcome.Succeeded, origin));
            return true;
        }, cancellationToken);

    /// <summary>Evaluates every active rule against every active business (the nightly timer), or one business.</summary>
    public async Task<Result<PlaybookEvaluation>> EvaluateAsync(Guid? onlyTenantId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var period = new DateOnly(now.Year, now.Month, 1);
        var settled = await SettleOutcomesAsync(onlyTenantId, now, cancellationToken);
        var report = await clientSuccess.ListAsync(null, cancellationToken);
        var businesses = report.Value!.Businesses.Where(b => onlyTenantId is null || b.TenantId == onlyTenantId).ToList();
        if (onlyTenantId is not null && businesses.Count == 0)
        {
            return Problem.NotFound("An active business");
        }

        var rules = (await database.InPlatformAsync(scope => ChurnPlaybookStore.RulesAsync(scope, activeOnly: true), cancellationToken)).Select(ToRule).ToList();
        var triggered = new List<PlaybookRun>();
        var alreadyActed = 0;
        foreach (var business in businesses)
        {
            var reasons = business.Reasons.Select(r => r.Factor).ToList();
            foreach (var rule in rules.Where(r => business.Risk >= r.MinRisk && (r.Factor is null || reasons.Contains(r.Factor))))
            {
                var runId = Guid.CreateVersion7();
                var claimed = await database.InTenantAsync(business.TenantId, scope => ChurnPlaybookStore.ClaimRunAsync(
                    scope, runId, business.TenantId, rule.Id, period, business.Risk, JsonSerializer.Serialize(reasons), now), cancellationToken);
                if (!claimed)
                {
                    alreadyActed++;
                    continue;
                }

                var taken = new List<PlaybookActionTaken>();
                foreach (var action in rule.Actions)
                {
                    taken.Add(await ActAsync(business, rule, action, period, runId, cancellationToken));
                }

                await database.InTenantAsync(business.TenantId, scope => ChurnPlaybookStore.SetActionsAsync(scope, runId, JsonSerializer.Serialize(taken, StreamFlowJson.Options)), cancellationToken);
                triggered.Add(new PlaybookRun(runId, business.TenantId, rule.Id, period, business.Risk, reasons, taken, now, "pending", null));
            }
        }

        return new PlaybookEvaluation(period, businesses.Count, alreadyActed, settled, triggered);
    }

    /// <summary>What the rules did for one business, newest first, with their outcomes.</summary>
    public async Task<Result<PlaybookRunList>> RunsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var (status, rows) = await database.InTenantAsync(tenantId, async scope =>
            (await ChurnPlaybookStore.TenantStatusAsync(scope, tenantId), await ChurnPlaybookStore.RunsAsync(scope)), cancellationToken);
        return status is null ? Problem.NotFound("The business") : new PlaybookRunList(rows.Select(ToRun).ToList());
    }

    private async Task<PlaybookActionTaken> ActAsync(ClientRisk business, ChurnPlaybookRule rule, PlaybookActionSpec action, DateOnly period, Guid runId, CancellationToken cancellationToken)
    {
        PlaybookActionTaken taken;
        try
        {
            taken = action.Type switch
            {
                "emailOwner" => await EmailOwnersAsync(business, action, cancellationToken),
                "createTask" => await AssignTaskAsync(business, rule, action, cancellationToken),
                "offerCredit" => await OfferCreditAsync(business, rule, action, cancellationToken),
                _ => await AlertProviderAsync(business, rule, cancellationToken),
            };
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Playbook {PlaybookId} could not {Action} for {TenantId}", rule.Id, action.Type, business.TenantId);
            taken = new PlaybookActionTaken(action.Type!, "failed", exception.GetType().Name);
        }

        await audit.RecordAsync(new AuditEvent(AuditSystem.Provider, business.TenantId, $"playbook:{rule.Id}", $"client_success.playbook.{action.Type}",
            $"tenant:{business.TenantId}", taken.Status switch { "done" => AuditOutcome.Succeeded, "refused" => AuditOutcome.Refused, _ => AuditOutcome.Failed }, RequestOrigin.None,
            new JsonObject { ["playbook"] = rule.Name, ["run"] = runId.ToString(), ["period"] = period.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["risk"] = business.Risk, ["detail"] = taken.Detail }),
            cancellationToken);
        return taken;
    }

    private async Task<PlaybookActionTaken> EmailOwnersAsync(ClientRisk business, PlaybookActionSpec action, CancellationToken cancellationToken)
    {
        var owners = await database.InTenantAsync(business.TenantId, ChurnPlaybookStore.OwnerEmailsAsync, cancellationToken);
        if (owners.Count == 0)
        {
            return new PlaybookActionTaken("emailOwner", "failed", "the business has no active owner");
        }

        foreach (var owner in owners)
        {
            // From the provider to its client: the provider's brand.
            await email.SendAsync(new EmailMessage(owner, Fill(action.Subject!, business), Fill(action.Body!, business)), cancellationToken);
        }

        return new PlaybookActionTaken("emailOwner", "done", $"mailed {owners.Count} owner(s)");
    }

    private async Task<PlaybookActionTaken> AssignTaskAsync(ClientRisk business, ChurnPlaybookRule rule, PlaybookActionSpec action, CancellationToken cancellationToken)
    {
        var due = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(action.DueInDays ?? 3);
        await email.SendAsync(new EmailMessage(action.Assignee!, $"Task due {due:yyyy-MM-dd}: {Fill(action.Title!, business)}",
            $"The playbook \"{rule.Name}\" gave you a task for {business.TenantName} (churn risk {business.Risk:P0}; reasons: {Reasons(business)}).\n\n"
            + $"{Fill(action.Title!, business)}, due {due:yyyy-MM-dd}.\n\nThe business's churn risk: /api/v1/provider/tenants/{business.TenantId}/churn-risk\n"), cancellationToken);
        return new PlaybookActionTaken("createTask", "done", $"task for {action.Assignee} due {due:yyyy-MM-dd}");
    }

    // Account credit within the rule's limits; over them (or in another currency) refused, and nothing is issued.
    private async Task<PlaybookActionTaken> OfferCreditAsync(ClientRisk business, ChurnPlaybookRule rule, PlaybookActionSpec action, CancellationToken cancellationToken)
    {
        var offered = await creditNotes.OfferWithinLimitAsync(business.TenantId, action.AmountMinor!.Value, action.Currency!, action.YearlyLimitMinor!.Value,
            Fill(action.Reason!, business), $"playbook:{rule.Id}", cancellationToken);
        return offered.Succeeded
            ? new PlaybookActionTaken("offerCredit", "done", $"credit note {offered.Value.Number} of {offered.Value.Amount.Amount} {offered.Value.Amount.Currency}")
            : new PlaybookActionTaken("offerCredit", offered.Problem!.Kind == ProblemKind.Conflict ? "refused" : "failed", offered.Problem.Detail);
    }

    private async Task<PlaybookActionTaken> AlertProviderAsync(ClientRisk business, ChurnPlaybookRule rule, CancellationToken cancellationToken)
    {
        var to = configuration["Billing:Dunning:ProviderEmail"] is { Length: > 0 } configured ? configured : configuration["STREAMFLOW_PROVIDER_EMAIL"];
        if (string.IsNullOrWhiteSpace(to))
        {
            return new PlaybookActionTaken("alertProvider", "failed", "no provider address is configured (STREAMFLOW_PROVIDER_EMAIL)");
        }

        await email.SendAsync(new EmailMessage(to, $"Churn risk: {business.TenantName} at {business.Risk:P0} ({rule.Name})",
            $"{business.TenantName} ({business.Industry}) has a churn risk of {business.Risk:P0}, band {business.Band}.\nReasons: {Reasons(business)}\n\n"
            + $"Details: /api/v1/provider/tenants/{business.TenantId}/churn-risk\n"), cancellationToken);
        return new PlaybookActionTaken("alertProvider", "done", "mailed the provider");
    }

    private async Task<int> SettleOutcomesAsync(Guid? onlyTenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tenantIds = onlyTenantId is { } one ? [one] : await database.InPlatformAsync(ChurnPlaybookStore.TenantIdsAsync, cancellationToken);
        var settled = 0;
        foreach (var tenantId in tenantIds)
        {
            settled += await database.InTenantAsync(tenantId, async scope =>
            {
                var status = await ChurnPlaybookStore.TenantStatusAsync(scope, tenantId);
                return status is null ? 0 : await ChurnPlaybookStore.SettleOutcomesAsync(scope, status == "active" ? "stayed" : "churned", now.AddDays(-OutcomeHorizonDays), now);
            }, cancellationToken);
        }

        return settled;
    }

    private static string Fill(string template, ClientRisk business) => template
        .Replace("{{business}}", business.TenantName, StringComparison.Ordinal)
        .Replace("{{risk}}", business.Risk.ToString("P0", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{{reasons}}", Reasons(business), StringComparison.Ordinal);

    private static string Reasons(ClientRisk business) =>
        business.Reasons.Count == 0 ? "none above the threshold" : string.Join(", ", business.Reasons.Select(r => r.Title));

    private static ChurnPlaybookRule ToRule(RuleRow row) => new(row.Id, row.Name, row.MinRisk, row.Factor,
        JsonSerializer.Deserialize<List<PlaybookActionSpec>>(row.Actions, StreamFlowJson.Options) ?? [], row.Active, row.CreatedBy, row.CreatedAt);

    private static PlaybookRun ToRun(RunRow row) => new(row.Id, row.TenantId, row.PlaybookId, row.Period, row.Risk,
        JsonSerializer.Deserialize<List<string>>(row.Reasons) ?? [], JsonSerializer.Deserialize<List<PlaybookActionTaken>>(row.Actions, StreamFlowJson.Options) ?? [],
        row.TriggeredAt, row.Outcome, row.OutcomeAt);
}
