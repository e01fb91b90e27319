using System.Globalization;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing;

public sealed record BillingPlanReference(string Code, string Name);

public sealed record PricingDiscount(string Kind, decimal Value, DateOnly? EndsOn);

/// <summary>A client's price in force today (unit prices keep up to 4 decimals).</summary>
public sealed record PricingSummary(
    DateOnly EffectiveFrom,
    string Currency,
    Money BaseFee,
    Money SeatPrice,
    int IncludedLeads,
    Money LeadPrice,
    decimal AiMarkupPercent,
    PricingDiscount? Discount,
    int BillingDay,
    DateOnly? TrialEndsOn,
    decimal? TaxRate);

/// <summary>
/// AI in the UTC month: what the models cost, what the client is billed (markup included), the margin, and the budget
/// (the monthly limit and how much of it the cost has used, as the gateway counts it).
/// </summary>
public sealed record ClientAiSpend(DateOnly Month, Money CostUsd, Money BillableUsd, Money MarginUsd, Money? MonthlyLimitUsd, bool LimitIsDefault, decimal? BudgetUsedPercent);

/// <summary>One client business in the monetization console.</summary>
public sealed record ConsoleClient(
    Guid TenantId,
    string Name,
    string Slug,
    string Status,
    BillingPlanReference? Plan,
    PricingSummary? Pricing,
    Money? Mrr,
    bool InTrial,
    int Seats,
    BillingPeriod Period,
    int LeadsThisPeriod,
    ClientAiSpend Ai,
    IReadOnlyList<Money> Outstanding,
    IReadOnlyList<Money> Overdue,
    int OpenInvoices,
    int OverdueInvoices);

/// <summary>The console: one row per client and the totals per currency.</summary>
public sealed record MonetizationConsole(
    DateTimeOffset GeneratedAt,
    IReadOnlyList<Money> TotalMrr,
    IReadOnlyList<Money> TotalOutstanding,
    IReadOnlyList<Money> TotalOverdue,
    IReadOnlyList<ConsoleClient> Clients);

/// <summary>MRR and its movements for one month and currency, with everything invoiced for periods starting that month.</summary>
public sealed record MonthlyRevenue(
    string Month,
    string Currency,
    Money Mrr,
    Money NewMrr,
    Money ExpansionMrr,
    Money ContractionMrr,
    Money ChurnedMrr,
    int PayingClients,
    int NewClients,
    int ChurnedClients,
    Money Revenue);

public sealed record ClientRevenue(Guid TenantId, string Name, string Slug, Money Revenue, Money Recurring);

public sealed record LineTypeRevenue(string LineType, Money Amount);

public sealed record AiMarginMonth(string Month, Money CostUsd, Money BillableUsd, Money MarginUsd);

/// <summary>Revenue analytics over whole months (amounts before tax).</summary>
public sealed record RevenueAnalytics(
    DateOnly From,
    DateOnly To,
    string Basis,
    IReadOnlyList<MonthlyRevenue> Months,
    IReadOnlyList<ClientRevenue> ByClient,
    IReadOnlyList<LineTypeRevenue> ByLineType,
    IReadOnlyList<AiMarginMonth> AiMargin);

/// <summary>
/// The provider's monetization console and revenue analytics. Cross-client numbers come only from the narrow
/// SECURITY DEFINER functions of 0048_billing_console.sql (aggregates), never from a wider policy for the app role.
/// </summary>
public sealed class MonetizationConsoleService(StreamFlowDatabase database, IOptions<AiOptions> aiOptions, TimeProvider timeProvider)
{
    /// <summary>How the analytics' MRR is computed; part of the answer so that nobody has to guess.</summary>
    public const string AnalyticsBasis =
        "Finalized, non-void invoices by the month their billing period starts. MRR is the base_fee + seats lines less discount lines; "
        + "revenue is every line before tax; AI margin is the AI usage ledger's billed minus cost (USD).";

    private const int MaxAnalyticsMonths = 60;

    /// <summary>Every client with its plan, price, MRR, seats, leads this billing period, AI spend and margin, and what it owes.</summary>
    public async Task<MonetizationConsole> ClientsAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var (rows, receivables) = await database.InPlatformAsync(async scope =>
            (await MonetizationStore.ClientsAsync(scope, now), await MonetizationStore.ReceivablesAsync(scope, now)), cancellationToken);
        var owed = receivables.ToLookup(r => r.TenantId);
        var defaultLimit = aiOptions.Value.Budget.DefaultTenantMonthlyLimitUsd;
        var month = new DateOnly(today.Year, today.Month, 1);

        var clients = rows.Select(row =>
        {
            var price = row.Currency is null ? null : new RecurringPrice(row.BaseFee!.Value, row.SeatPrice!.Value, row.DiscountKind, row.DiscountValue, row.DiscountEndsOn, row.TrialEndsOn);
            var limit = row.AiMonthlyLimitUsd ?? defaultLimit;
            var ai = new ClientAiSpend(
                month, Usd(row.AiCostUsd), Usd(row.AiBillableUsd), Usd(row.AiBillableUsd - row.AiCostUsd),
                limit is { } l ? Usd(l) : null, row.AiMonthlyLimitUsd is null,
                // The gateway's budgets count what calls cost the provider, not what the client is billed.
                limit is > 0m ? decimal.Round(row.AiCostUsd / limit.Value * 100m, 1, MidpointRounding.AwayFromZero) : null);
            var debts = owed[row.TenantId].ToList();
            return new ConsoleClient(
                row.TenantId, row.TenantName, row.TenantSlug, row.TenantStatus,
                row.PlanCode is null ? null : new BillingPlanReference(row.PlanCode, row.PlanName!),
                price is null ? null : Pricing(row),
                price is null ? null : Money.Of(RecurringRevenue.Monthly(price, row.ActiveSeats, today), row.Currency!),
                price is not null && RecurringRevenue.InTrial(price, today),
                (int)row.ActiveSeats,
                new BillingPeriod(row.PeriodStart, row.PeriodEnd),
                (int)row.LeadsInPeriod,
                ai,
                debts.Where(d => d.Outstanding > 0).Select(d => Money.Of(d.Outstanding, d.Currency)).ToList(),
                debts.Where(d => d.Overdue > 0).Select(d => Money.Of(d.Overdue, d.Currency)).ToList(),
                (int)debts.Sum(d => d.OpenInvoices),
                (int)debts.Sum(d => d.OverdueInvoices));
        }).ToList();

        return new MonetizationConsole(
            now,
            SumByCurrency(clients.Where(c => c.Mrr is not null).Select(c => c.Mrr!)),
            SumByCurrency(clients.SelectMany(c => c.Outstanding)),
            SumByCurrency(clients.SelectMany(c => c.Overdue)),
            clients);
    }

    /// <summary>
    /// MRR per month with new, expansion, contraction and churned MRR; revenue by client and by line type; AI margin
    /// per month — for the whole months from <paramref name="from"/>'s to <paramref name="to"/>'s (default: the last 12).
    /// </summary>
    public async Task<Result<RevenueAnalytics>> AnalyticsAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var lastMonth = FirstOfMonth(to ?? today);
        var firstMonth = FirstOfMonth(from ?? lastMonth.AddMonths(-11));
        if (firstMonth > lastMonth)
        {
            return Problem.Validation("to", "must not be before from.");
        }

        if ((lastMonth.Year - firstMonth.Year) * 12 + lastMonth.Month - firstMonth.Month >= MaxAnalyticsMonths)
        {
            return Problem.Validation("to", $"must be within {MaxAnalyticsMonths} months of from.");
        }

        var end = lastMonth.AddMonths(1).AddDays(-1);
        var (revenue, aiMonths) = await database.InPlatformAsync(async scope => (
            await MonetizationStore.RevenueAsync(scope, firstMonth.AddMonths(-1), end),
            await MonetizationStore.AiMonthsAsync(scope, StartOf(firstMonth), StartOf(lastMonth.AddMonths(1)))), cancellationToken);

        var recurring = revenue
            .Where(r => r.LineType is InvoiceLineType.BaseFee or InvoiceLineType.Seats or InvoiceLineType.Discount)
            .GroupBy(r => (r.TenantId, r.Currency, r.Month))
            .ToDictionary(g => (g.Key.TenantId, g.Key.Currency, g.Key.Month), g => g.Sum(r => r.Amount));
        var inRange = revenue.Where(r => r.Month >= firstMonth).ToList();
        var revenueByMonth = inRange.GroupBy(r => (r.Month, r.Currency)).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount));

        var months = RecurringRevenue.Movements(recurring, firstMonth, lastMonth)
            .Select(m => new MonthlyRevenue(
                MonthName(m.Month), m.Currency, Money.Of(m.Mrr, m.Currency), Money.Of(m.NewMrr, m.Currency), Money.Of(m.ExpansionMrr, m.Currency),
                Money.Of(m.ContractionMrr, m.Currency), Money.Of(m.ChurnedMrr, m.Currency), m.Clients, m.NewClients, m.ChurnedClients,
                Money.Of(revenueByMonth.GetValueOrDefault((m.Month, m.Currency)), m.Currency)))
            .ToList();
        var byClient = inRange
            .GroupBy(r => (r.TenantId, r.TenantName, r.TenantSlug, r.Currency))
            .Select(g => new ClientRevenue(g.Key.TenantId, g.Key.TenantName, g.Key.TenantSlug, Money.Of(g.Sum(r => r.Amount), g.Key.Currency),
                Money.Of(g.Where(r => r.LineType is InvoiceLineType.BaseFee or InvoiceLineType.Seats or InvoiceLineType.Discount).Sum(r => r.Amount), g.Key.Currency)))
            .OrderByDescending(c => decimal.Parse(c.Revenue.Amount, CultureInfo.InvariantCulture))
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        var byLineType = inRange
            .GroupBy(r => (r.LineType, r.Currency))
            .OrderBy(g => g.Key.Currency, StringComparer.Ordinal).ThenBy(g => g.Key.LineType, StringComparer.Ordinal)
            .Select(g => new LineTypeRevenue(g.Key.LineType, Money.Of(g.Sum(r => r.Amount), g.Key.Currency)))
            .ToList();
        var aiMargin = aiMonths
            .Select(m => new AiMarginMonth(MonthName(m.Month), Usd(m.CostUsd), Usd(m.BillableUsd), Usd(m.BillableUsd - m.CostUsd)))
            .ToList();

        return new RevenueAnalytics(firstMonth, end, AnalyticsBasis, months, byClient, byLineType, aiMargin);
    }

    private static PricingSummary Pricing(ConsoleClientRow row) => new(
        row.PricingEffectiveFrom!.Value,
        row.Currency!,
        UnitPrice(row.BaseFee!.Value, row.Currency!),
        UnitPrice(row.SeatPrice!.Value, row.Currency!),
        row.IncludedLeads!.Value,
        UnitPrice(row.LeadPrice!.Value, row.Currency!),
        decimal.Round(row.AiMarkupRate!.Value * 100m, 4),
        row.DiscountKind is null ? null : new PricingDiscount(row.DiscountKind, row.DiscountValue!.Value, row.DiscountEndsOn),
        row.BillingDay,
        row.TrialEndsOn,
        row.TaxRate);

    // Prices are stored with 4 decimals; show them as set, with at least the minor unit.
    private static Money UnitPrice(decimal amount, string currency) => new(amount.ToString("0.00##", CultureInfo.InvariantCulture), currency);

    private static Money Usd(decimal amount) => Money.Of(amount, "USD");

    private static IReadOnlyList<Money> SumByCurrency(IEnumerable<Money> amounts) =>
        amounts.GroupBy(m => m.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Money.Of(g.Sum(m => decimal.Parse(m.Amount, CultureInfo.InvariantCulture)), g.Key))
            .ToList();

    private static DateOnly FirstOfMonth(DateOnly day) => new(day.Year, day.Month, 1);

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static string MonthName(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
