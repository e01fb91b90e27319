using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;

namespace StreamFlow.Core.Settings;

/// <summary>
/// Custom fields of a business's records: typed definitions (docs/tenant-settings.md), published as the JSON Schema of
/// the record's <c>attributes</c>, and the check every lead write and import row goes through (<see cref="ILeadAttributeRules"/>).
/// </summary>
public sealed class CustomFieldService(StreamFlowDatabase database, TimeProvider timeProvider) : ILeadAttributeRules
{
    public const int MaxFields = 200;
    private const string Lead = "lead";

    public async Task<Result<CustomField>> CreateAsync(Guid tenantId, string actor, CustomFieldInput input, CancellationToken cancellationToken)
    {
        var entity = input.Entity ?? Lead;
        var errors = new ValidationErrors().Required("key", input.Key, 100).MaxLength("label", input.Label, 200);
        if (entity != Lead)
        {
            errors.Add("entity", "must be lead.");
        }

        if (!CustomFieldRules.Types.Contains(input.Type))
        {
            errors.Add("type", $"must be one of {string.Join(", ", CustomFieldRules.Types)}.");
        }

        var options = input.Options?.Select(o => o?.Trim() ?? "").ToArray() ?? [];
        if (input.Type is "choice" or "multiChoice")
        {
            if (options.Length is 0 or > 100 || options.Any(o => o.Length is 0 or > 100) || options.Distinct(StringComparer.Ordinal).Count() != options.Length)
            {
                errors.Add("options", "must list 1 to 100 distinct options of 1 to 100 characters.");
            }
        }
        else if (options.Length > 0)
        {
            errors.Add("options", "are only for the types choice and multiChoice.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var key = input.Key!.Trim();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            if ((await CustomFieldStore.ListAsync(scope, entity)).Count >= MaxFields)
            {
                return (Result<CustomField>)Problem.Conflict($"A business has at most {MaxFields} custom fields per record.");
            }

            var row = await CustomFieldStore.InsertAsync(scope, new
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, Entity = entity, Key = key, Label = string.IsNullOrWhiteSpace(input.Label) ? key : input.Label.Trim(),
                input.Type, Required = input.Required ?? false, Options = JsonSerializer.Serialize(options), Actor = actor, Now = timeProvider.GetUtcNow(),
            });
            return row is null ? Problem.Conflict($"The {entity} already has a custom field {key}.") : row.ToField();
        }, cancellationToken);
    }

    public Task<CustomFieldList> ListAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => new CustomFieldList(await CustomFieldStore.ListAsync(scope, Lead)), cancellationToken);

    /// <summary>Removes a definition; the values records hold stay, as free attributes.</summary>
    public Task<Result<CustomField>> DeleteAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
            await CustomFieldStore.DeleteAsync(scope, id) is { } row ? Result<CustomField>.Success(row.ToField()) : Problem.NotFound("The custom field"), cancellationToken);

    /// <summary>The JSON Schema of a lead's <c>attributes</c> in this business.</summary>
    public Task<JsonObject> SchemaAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => CustomFieldRules.Schema(Lead, await CustomFieldStore.ListAsync(scope, Lead)), cancellationToken);

    /// <summary>Adds a definition in the caller's transaction (an industry template's); false when the key is taken.</summary>
    internal static async Task<bool> InsertAsync(DbTransactionScope scope, Guid tenantId, CustomField field) =>
        await CustomFieldStore.InsertAsync(scope, new
        {
            field.Id, TenantId = tenantId, field.Entity, field.Key, field.Label, field.Type, field.Required,
            Options = JsonSerializer.Serialize(field.Options), Actor = field.CreatedBy, Now = field.CreatedAt,
        }) is not null;

    /// <summary>The lead fields of the tenant of <paramref name="scope"/>.</summary>
    internal static Task<IReadOnlyList<CustomField>> LeadFieldsAsync(DbTransactionScope scope) => CustomFieldStore.ListAsync(scope, Lead);

    async Task<LeadAttributeCheck?> ILeadAttributeRules.RulesAsync(DbTransactionScope scope) => Check(await CustomFieldStore.ListAsync(scope, Lead));

    async Task<LeadAttributeCheck?> ILeadAttributeRules.RulesLaterAsync(DbTransactionScope scope) => Check(await CustomFieldStore.ListLaterAsync(scope, Lead));

    private static LeadAttributeCheck? Check(IReadOnlyList<CustomField> fields) =>
        fields.Count == 0 ? null : (attributes, complete, errors) => CustomFieldRules.Check(fields, attributes, complete, errors);
}
