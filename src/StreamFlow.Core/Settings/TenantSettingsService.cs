using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Settings;

/// <summary>Reads and changes a business's settings (time zone, currency, locale, hours, holidays, report preferences).</summary>
public sealed class TenantSettingsService(StreamFlowDatabase database, AuditLog audit, TimeProvider timeProvider)
{
    public const string DefaultCurrency = "USD";
    public const string DefaultLocale = "en-US";

    /// <summary>The tenant's settings, defaults where it has not chosen.</summary>
    public Task<TenantSettings> GetAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, ReadAsync, cancellationToken);

    /// <summary>The settings inside a transaction the caller already holds for the tenant.</summary>
    public static async Task<TenantSettings> ReadAsync(DbTransactionScope scope) => Parse(await TenantSettingsStore.ReadAsync(scope));

    /// <summary>The time zone and the keys the business has stored (chosen), inside the caller's transaction, locked.</summary>
    internal static async Task<(string TimeZone, IReadOnlySet<string> Keys)> StoredKeysAsync(DbTransactionScope scope)
    {
        var row = await TenantSettingsStore.LockAsync(scope);
        var keys = row is not null && JsonNode.Parse(row.Settings) is JsonObject document
            ? document.Select(p => p.Key).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
        return (row is not null && TenantSettingsValidation.IsIanaZone(row.TimeZone) ? row.TimeZone : "UTC", keys);
    }

    /// <summary>Writes the given keys of the settings document (valid values: the caller checked them), keeping every other key.</summary>
    internal static Task WriteKeysAsync(DbTransactionScope scope, Guid tenantId, string timeZone, JsonObject keys, DateTimeOffset now) =>
        TenantSettingsStore.UpsertAsync(scope, tenantId, timeZone, keys.ToJsonString(), now);

    /// <summary>Applies a change, audited as <c>settings.changed</c> with the members it changed.</summary>
    public async Task<Result<TenantSettings>> UpdateAsync(
        Guid tenantId, string actor, RequestOrigin origin, TenantSettingsChange change, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        TenantSettingsValidation.Validate(change, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            var current = Parse(await TenantSettingsStore.LockAsync(scope));
            var updated = new TenantSettings(
                change.TimeZone ?? current.TimeZone, change.Currency ?? current.Currency, change.Locale ?? current.Locale,
                change.BusinessHours ?? current.BusinessHours, change.Holidays?.OrderBy(h => h.Date).ToList() ?? current.Holidays,
                change.Reports ?? current.Reports, now);
            // Only what the change names is written: a currency never chosen stays unset, so reports keep falling back
            // to the currency of the business's won leads.
            var keys = new JsonObject();
            foreach (var name in Changed(change).Where(name => name != "timeZone"))
            {
                keys[name] = name switch
                {
                    "currency" => updated.Currency,
                    "locale" => updated.Locale,
                    "businessHours" => JsonSerializer.SerializeToNode(updated.BusinessHours, StreamFlowJson.Options),
                    "holidays" => JsonSerializer.SerializeToNode(updated.Holidays, StreamFlowJson.Options),
                    _ => JsonSerializer.SerializeToNode(updated.Reports, StreamFlowJson.Options),
                };
            }

            await TenantSettingsStore.UpsertAsync(scope, tenantId, updated.TimeZone, keys.ToJsonString(), now);
            await audit.AppendAsync(scope, new AuditEvent(
                AuditSystem.Client, tenantId, actor, "settings.changed", $"tenant:{tenantId}", AuditOutcome.Succeeded, origin,
                new JsonObject { ["changed"] = new JsonArray([.. Changed(change).Select(name => JsonValue.Create(name))]), ["timeZone"] = updated.TimeZone }));
            return Result<TenantSettings>.Success(updated);
        }, cancellationToken);
    }

    private static IEnumerable<string> Changed(TenantSettingsChange change) =>
        new (string Name, object? Value)[]
        {
            ("timeZone", change.TimeZone), ("currency", change.Currency), ("locale", change.Locale),
            ("businessHours", change.BusinessHours), ("holidays", change.Holidays), ("reports", change.Reports),
        }.Where(member => member.Value is not null).Select(member => member.Name);

    // The document is shared with older writers (and restored backups): a key that does not read as this feature's
    // shape falls back to its default rather than failing every reader.
    private static TenantSettings Parse(StoredTenantSettings? row)
    {
        var document = row is null ? null : JsonNode.Parse(row.Settings) as JsonObject;
        var zone = row is not null && TenantSettingsValidation.IsIanaZone(row.TimeZone) ? row.TimeZone : "UTC";
        var currency = Read<string>(document, "currency") is { } c && TenantSettingsValidation.IsCurrency(c) ? c : DefaultCurrency;
        return new TenantSettings(
            zone, currency, Read<string>(document, "locale") ?? DefaultLocale,
            Read<WeeklyHours>(document, "businessHours") ?? WeeklyHours.Default,
            Read<List<Holiday>>(document, "holidays") ?? [],
            Read<ReportPreferences>(document, "reports") ?? ReportPreferences.Default,
            row?.UpdatedAt ?? DateTimeOffset.UnixEpoch);
    }

    private static T? Read<T>(JsonObject? document, string key)
        where T : class
    {
        try
        {
            return document?[key]?.Deserialize<T>(StreamFlowJson.Options);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}
