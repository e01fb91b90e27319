using Microsoft.Extensions.Options;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Pricing;

/// <summary>
/// What each client business pays, as a history: a change is a new row effective from a date (today by default, in
/// the future or the past, never inside a period already invoiced). The AI markup in force is also written to the AI
/// gateway's settings, in the same transaction, so that the usage ledger's billable amounts follow the price.
/// </summary>
public sealed class TenantPricingService(StreamFlowDatabase database, IOptions<BillingOptions> options, TimeProvider timeProvider)
{
    /// <summary>The client's price today and its whole history; 404 for an unknown client.</summary>
    public Task<Result<TenantPricing>> GetAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync<Result<TenantPricing>>(tenantId, async scope =>
            await TenantPricingStore.TenantExistsAsync(scope, tenantId)
                ? await ViewAsync(scope, tenantId)
                : Problem.NotFound("Tenant"), cancellationToken);

    /// <summary>Records a price change (see <see cref="PricingChange"/>); returns the client's pricing afterwards.</summary>
    public Task<Result<TenantPricing>> ChangeAsync(Guid tenantId, PricingChange change, string recordedBy, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return database.InTenantAsync<Result<TenantPricing>>(tenantId, async scope =>
        {
            if (!await TenantPricingStore.TenantExistsAsync(scope, tenantId))
            {
                return Problem.NotFound("Tenant");
            }

            BillingPlanStore.PlanRow? plan = null;
            if (change.PlanId is { } planId)
            {
                plan = await BillingPlanStore.GetAsync(scope, planId);
            }

            var history = await TenantPricingStore.HistoryAsync(scope);
            var lastFinalizedEnd = await TenantPricingStore.LastFinalizedPeriodEndAsync(scope);
            var terms = Validate(change, plan, new PricingTimeline(history), lastFinalizedEnd, today);
            if (!terms.Succeeded)
            {
                return terms.Problem;
            }

            await TenantPricingStore.InsertAsync(scope, tenantId, new PricingRecord(Guid.CreateVersion7(), terms.Value, now, recordedBy));
            if (terms.Value.EffectiveFrom <= today)
            {
                await ApplyMarkupAsync(scope, tenantId, today, now);
            }

            return await ViewAsync(scope, tenantId);
        }, cancellationToken);
    }

    /// <summary>
    /// Writes the AI markup of the price in effect today to the AI gateway's settings when it differs (a price
    /// dated in the future takes effect this way; the daily metering run calls it). Returns true when it changed.
    /// </summary>
    public Task<bool> ApplyCurrentAiMarkupAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return database.InTenantAsync(tenantId, scope => ApplyMarkupAsync(scope, tenantId, DateOnly.FromDateTime(now.UtcDateTime), now), cancellationToken);
    }

    private static async Task<bool> ApplyMarkupAsync(DbTransactionScope scope, Guid tenantId, DateOnly today, DateTimeOffset now)
    {
        if (new PricingTimeline(await TenantPricingStore.HistoryAsync(scope)).At(today) is not { } current)
        {
            return false;
        }

        var markup = await TenantPricingStore.AiMarkupRateAsync(scope, tenantId);
        if (markup == current.AiMarkupRate)
        {
            return false;
        }

        await AiBudgetStore.UpsertMarkupAsync(scope, tenantId, current.AiMarkupRate, now);
        return true;
    }

    private async Task<TenantPricing> ViewAsync(DbTransactionScope scope, Guid tenantId)
    {
        var history = await TenantPricingStore.HistoryAsync(scope);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var current = new PricingTimeline(history).At(today);
        var currentRecord = current is null ? null : history.First(r => ReferenceEquals(r.Terms, current));
        return new TenantPricing(tenantId, currentRecord is null ? null : PricingEntry.From(currentRecord), history.Select(PricingEntry.From).ToList());
    }

    private Result<PricingTerms> Validate(
        PricingChange change, BillingPlanStore.PlanRow? plan, PricingTimeline timeline, DateOnly? lastFinalizedEnd, DateOnly today)
    {
        var errors = new ValidationErrors();
        var effectiveFrom = change.EffectiveFrom ?? today;
        if (lastFinalizedEnd is { } finalizedEnd && effectiveFrom < finalizedEnd)
        {
            errors.Add("effectiveFrom", $"must be on or after {finalizedEnd:yyyy-MM-dd}: the periods before it are invoiced; correct them with a credit note.");
        }

        if (change.PlanId is not null && plan is null)
        {
            errors.Add("planId", "names no plan.");
        }
        else if (plan?.ArchivedAt is not null)
        {
            errors.Add("planId", "names an archived plan.");
        }

        var currency = change.Currency ?? plan?.Currency;
        Prices.CheckCurrency(errors, "currency", change.Currency);
        var baseFee = Prices.Parse(errors, "baseFee", change.BaseFee) ?? plan?.BaseFee;
        var seatPrice = Prices.Parse(errors, "seatPrice", change.SeatPrice) ?? plan?.SeatPrice;
        var leadPrice = Prices.Parse(errors, "leadPrice", change.LeadPrice) ?? plan?.LeadPrice;
        var includedLeads = change.IncludedLeads ?? plan?.IncludedLeads;
        if (plan is null && change.PlanId is null)
        {
            foreach (var (field, missing) in new[]
                     {
                         ("currency", change.Currency is null), ("baseFee", change.BaseFee is null), ("seatPrice", change.SeatPrice is null),
                         ("includedLeads", change.IncludedLeads is null), ("leadPrice", change.LeadPrice is null),
                     })
            {
                if (missing)
                {
                    errors.Add(field, "is required without a planId.");
                }
            }
        }

        if (change.IncludedLeads is < 0)
        {
            errors.Add("includedLeads", "must not be negative.");
        }

        Prices.CheckMarkup(errors, "aiMarkupPercent", change.AiMarkupPercent);
        var markupRate = change.AiMarkupPercent is { } markup ? markup / 100m : plan?.AiMarkupRate ?? 0m;

        var discount = ValidateDiscount(errors, change.Discount);
        var previous = timeline.At(effectiveFrom.AddDays(-1));
        var billingDay = change.BillingDay ?? previous?.BillingDay ?? 1;
        if (billingDay is < 1 or > 28)
        {
            errors.Add("billingDay", "must be between 1 and 28.");
        }

        if (change.TaxRatePercent is < 0m or >= 100m || (change.TaxRatePercent is { } tax && decimal.Round(tax, 4) != tax))
        {
            errors.Add("taxRatePercent", "must be at least 0 and below 100, with at most four decimals.");
        }

        if (currency is not null && Currencies.IsInvoiceable(currency) && options.Value.UsdRateFor(currency) is null)
        {
            errors.Add("currency", $"has no USD exchange rate configured (Billing:UsdExchangeRates:{currency}), so AI usage, recorded in USD, could not be invoiced in it.");
        }

        // A period is invoiced in one currency: a different one may only start with a period.
        if (currency is not null && previous is not null && previous.Currency != currency && effectiveFrom.Day != billingDay)
        {
            errors.Add("currency", $"may only change from {previous.Currency} at the start of a billing period: effectiveFrom must fall on the billing day ({billingDay}).");
        }

        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        return new PricingTerms(
            effectiveFrom, plan?.Id, currency!, baseFee!.Value, seatPrice!.Value, includedLeads!.Value, leadPrice!.Value, markupRate,
            discount, billingDay, change.TrialEndsOn, change.TaxRatePercent / 100m);
    }

    private static DiscountTerms? ValidateDiscount(ValidationErrors errors, DiscountChange? discount)
    {
        if (discount is null)
        {
            return null;
        }

        if (discount.Kind is not (DiscountKind.Percent or DiscountKind.Amount))
        {
            errors.Add("discount.kind", "must be percent or amount.");
        }

        if (discount.Value is null)
        {
            errors.Add("discount.value", "is required.");
            return null;
        }

        var value = Prices.Parse(errors, "discount.value", discount.Value);
        if (discount.Kind == DiscountKind.Percent && value > 100m)
        {
            errors.Add("discount.value", "must be at most 100 for a percent discount.");
        }

        return value is { } v && discount.Kind is { } kind ? new DiscountTerms(kind, v, discount.EndsOn) : null;
    }
}
