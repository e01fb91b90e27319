using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Ai;

/// <summary>
/// AI budgets and per-tenant AI settings, as the provider manages them: daily and monthly limits, the markup billed
/// on top of cost, and whether prompts may carry personal data. Reservations themselves are made by <see cref="AiGateway"/>.
/// </summary>
public sealed class AiBudgetService
{
    private const decimal MaximumLimitUsd = 1_000_000m;
    private const decimal MaximumMarkupRate = 100m;
    private readonly StreamFlowDatabase _database;
    private readonly AiBudgetOptions _options;
    private readonly TimeProvider _timeProvider;

    internal AiBudgetService(StreamFlowDatabase database, IOptions<AiOptions> options, TimeProvider timeProvider)
    {
        _database = database;
        _options = options.Value.Budget;
        _timeProvider = timeProvider;
    }

    /// <summary>Sets a tenant's daily and monthly limits in USD (null: the configured default). Takes effect with the next call.</summary>
    public Task<Result<AiTenantBudgetStatus>> SetTenantBudgetAsync(Guid tenantId, AiTenantBudget budget, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        CheckLimit(errors, "dailyLimitUsd", budget.DailyLimitUsd);
        CheckLimit(errors, "monthlyLimitUsd", budget.MonthlyLimitUsd);
        return errors.ToProblem() is { } problem
            ? Task.FromResult<Result<AiTenantBudgetStatus>>(problem)
            : UpdateAsync(tenantId, (scope, now) => AiBudgetStore.UpsertBudgetAsync(scope, tenantId, budget, now), cancellationToken);
    }

    /// <summary>Sets a tenant's limits and, when given, its markup and personal-data switch, stopping at the first problem.</summary>
    public async Task<Result<AiTenantBudgetStatus>> ConfigureTenantAsync(
        Guid tenantId, AiTenantBudget budget, decimal? markupRate, bool? allowPersonalData, CancellationToken cancellationToken)
    {
        var result = await SetTenantBudgetAsync(tenantId, budget, cancellationToken);
        if (result.Succeeded && markupRate is { } markup)
        {
            result = await SetTenantMarkupAsync(tenantId, markup, cancellationToken);
        }

        if (result.Succeeded && allowPersonalData is { } allowed)
        {
            result = await SetPersonalDataAllowedAsync(tenantId, allowed, cancellationToken);
        }

        return result;
    }

    /// <summary>Sets the share added to cost when billing the tenant (0.25 = cost + 25 %).</summary>
    public Task<Result<AiTenantBudgetStatus>> SetTenantMarkupAsync(Guid tenantId, decimal markupRate, CancellationToken cancellationToken) =>
        markupRate is < 0m or > MaximumMarkupRate
            ? Task.FromResult<Result<AiTenantBudgetStatus>>(Problem.Validation("markupRate", $"must be between 0 and {MaximumMarkupRate}."))
            : UpdateAsync(tenantId, (scope, now) => AiBudgetStore.UpsertMarkupAsync(scope, tenantId, markupRate, now), cancellationToken);

    /// <summary>Lets prompts of this tenant carry emails, phone numbers, SSNs, card numbers and addresses unredacted (off by default).</summary>
    public Task<Result<AiTenantBudgetStatus>> SetPersonalDataAllowedAsync(Guid tenantId, bool allowed, CancellationToken cancellationToken) =>
        UpdateAsync(tenantId, (scope, now) => AiBudgetStore.UpsertPersonalDataAsync(scope, tenantId, allowed, now), cancellationToken);

    /// <summary>The tenant's limits as applied, its markup and privacy setting, and today's and this month's spend.</summary>
    public async Task<Result<AiTenantBudgetStatus>> GetTenantBudgetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var status = await _database.InTenantAsync(tenantId, async scope =>
            await AiBudgetStore.TenantExistsAsync(scope, tenantId) ? await StatusAsync(scope, tenantId) : null, cancellationToken);
        return status is null ? Problem.NotFound("Tenant") : status;
    }

    /// <summary>The provider-wide monthly cap and what all tenants spent (and hold reserved) this month.</summary>
    public async Task<AiProviderBudgetStatus> GetProviderBudgetAsync(CancellationToken cancellationToken)
    {
        var month = AiBudgetPeriods.At(_timeProvider.GetUtcNow()).Month;
        var spend = await _database.InPlatformAsync(scope => AiBudgetStore.ProviderSpendAsync(scope, month, _options.ProviderMonthlyCapUsd), cancellationToken);
        return new AiProviderBudgetStatus(_options.ProviderMonthlyCapUsd, spend);
    }

    /// <summary>Gives back the budget held by calls that never reconciled (crashed instances). Safe to run anytime, on any instance.</summary>
    public Task<int> ReleaseExpiredReservationsAsync(CancellationToken cancellationToken) =>
        _database.InPlatformAsync(scope => AiBudgetStore.ReleaseExpiredAsync(scope, _timeProvider.GetUtcNow(), int.MaxValue), cancellationToken);

    private async Task<Result<AiTenantBudgetStatus>> UpdateAsync(
        Guid tenantId, Func<DbTransactionScope, DateTimeOffset, Task> update, CancellationToken cancellationToken)
    {
        try
        {
            return await _database.InTenantAsync(tenantId, async scope =>
            {
                await update(scope, _timeProvider.GetUtcNow());
                return await StatusAsync(scope, tenantId);
            }, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return Problem.NotFound("Tenant");
        }
    }

    private async Task<AiTenantBudgetStatus> StatusAsync(DbTransactionScope scope, Guid tenantId)
    {
        var settings = await AiBudgetStore.SettingsAsync(scope, tenantId);
        var limits = settings.Limits(_options);
        var periods = AiBudgetPeriods.At(_timeProvider.GetUtcNow());
        var (today, thisMonth) = await AiBudgetStore.TenantSpendAsync(scope, tenantId, periods, limits);
        return new AiTenantBudgetStatus(
            tenantId,
            limits.TenantDailyLimitUsd,
            settings.DailyLimitUsd is null,
            limits.TenantMonthlyLimitUsd,
            settings.MonthlyLimitUsd is null,
            settings.MarkupRate,
            settings.AllowPersonalData,
            today,
            thisMonth);
    }

    private static void CheckLimit(ValidationErrors errors, string field, decimal? limit)
    {
        if (limit is < 0m or > MaximumLimitUsd)
        {
            errors.Add(field, $"must be between 0 and {MaximumLimitUsd}.");
        }
    }
}
