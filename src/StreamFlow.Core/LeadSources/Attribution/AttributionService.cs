using System.Globalization;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.Attribution;

/// <summary>
/// Cost per lead source and what each source brought: leads, won jobs, won revenue, cost and cost per won job, by the
/// month the leads were created in. The source is the lead's <c>source</c> field, the same one scoring reads.
/// </summary>
public sealed class AttributionService(StreamFlowDatabase database, TimeProvider time)
{
    public const int MaxMonths = 36;

    public async Task<Result<SourceCostView>> SetCostAsync(Guid tenantId, string source, SourceCostInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(source) || source.Trim().Length > 100)
        {
            errors.Add("source", "must be 1 to 100 characters: the leads' source, such as \"SAM.gov\" or \"Web form\".");
        }

        if (!decimal.TryParse(input.Amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount < 0 || amount > 999_999_999_999m
            || decimal.Round(amount, 2) != amount)
        {
            errors.Add("amount", "must be a non-negative decimal string with at most two decimals, such as \"450.00\".");
        }

        if (input.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetter))
        {
            errors.Add("currency", "must be a three-letter ISO 4217 code.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return (await database.InTenantAsync(tenantId, scope =>
            AttributionStore.UpsertCostAsync(scope, tenantId, source.Trim(), amount, input.Currency!.ToUpperInvariant(), time.GetUtcNow()), cancellationToken)).ToView();
    }

    public async Task<SourceCostList> CostsAsync(Guid tenantId, CancellationToken cancellationToken) =>
        new((await database.InTenantAsync(tenantId, AttributionStore.CostsAsync, cancellationToken)).Select(row => row.ToView()).ToList());

    public async Task<Result<bool>> DeleteCostAsync(Guid tenantId, string source, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, scope => AttributionStore.DeleteCostAsync(scope, source.Trim()), cancellationToken)
            ? true
            : Problem.NotFound("A cost for that source");

    /// <param name="from">First month, yyyy-MM; default the current month.</param>
    /// <param name="to">Last month, yyyy-MM, inclusive; default <paramref name="from"/>.</param>
    public async Task<Result<AttributionReport>> ReportAsync(Guid tenantId, string? from, string? to, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var now = time.GetUtcNow();
        var first = Month(from, "from", errors) ?? new DateOnly(now.Year, now.Month, 1);
        var last = Month(to, "to", errors) ?? first;
        var months = ((last.Year - first.Year) * 12) + last.Month - first.Month + 1;
        if (errors.IsEmpty && months is < 1 or > MaxMonths)
        {
            errors.Add("to", $"must be the same month as from or later, at most {MaxMonths} months in all.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(last.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var (counts, revenue, perLead, costs) = await database.InTenantAsync(tenantId, async scope => (
            await AttributionStore.CountsAsync(scope, start, end), await AttributionStore.RevenueAsync(scope, start, end),
            await AttributionStore.PerLeadCostsAsync(scope, start, end), await AttributionStore.CostsAsync(scope)), cancellationToken);

        var sources = counts.Select(c => c.Source).Union(costs.Select(c => c.Source)).Order(StringComparer.Ordinal);
        var report = sources.Select(source =>
        {
            var count = counts.FirstOrDefault(c => c.Source == source) ?? new SourceCount(source, 0, 0);
            var cost = perLead.Where(c => c.Source == source).Select(c => (c.Currency, c.Amount))
                .Concat(costs.Where(c => c.Source == source).Select(c => (c.Currency, c.MonthlyAmount * months)))
                .GroupBy(c => c.Currency).Select(g => (Currency: g.Key, Amount: g.Sum(c => c.Item2))).OrderBy(c => c.Currency, StringComparer.Ordinal).ToList();
            return new SourceAttribution(source, count.Leads, count.Won,
                revenue.Where(r => r.Source == source).OrderBy(r => r.Currency, StringComparer.Ordinal).Select(r => Money.Of(r.Amount, r.Currency)).ToList(),
                cost.Select(c => Money.Of(c.Amount, c.Currency)).ToList(),
                count.Won == 0 ? [] : cost.Select(c => Money.Of(decimal.Round(c.Amount / count.Won, 2), c.Currency)).ToList(),
                count.Leads == 0 ? [] : cost.Select(c => Money.Of(decimal.Round(c.Amount / count.Leads, 2), c.Currency)).ToList());
        }).ToList();
        return new AttributionReport(first.ToString("yyyy-MM", CultureInfo.InvariantCulture), last.ToString("yyyy-MM", CultureInfo.InvariantCulture), months, report);
    }

    private static DateOnly? Month(string? value, string field, ValidationErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && month.Year is >= 1900 and <= 2999)
        {
            return month;
        }

        errors.Add(field, "must be a month as yyyy-MM.");
        return null;
    }
}
