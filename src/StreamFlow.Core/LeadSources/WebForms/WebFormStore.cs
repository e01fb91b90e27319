using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources.WebForms;

internal static class WebFormStore
{
    private const string Columns = """
        id AS Id, tenant_id AS TenantId, form_key AS FormKey, name AS Name, lead_source AS LeadSource, field_map::text AS FieldMap,
        array_to_string(allowed_origins, ',') AS AllowedOrigins, honeypot_field AS HoneypotField, captcha_provider AS CaptchaProvider,
        captcha_secret_ciphertext AS CaptchaSecretCiphertext, submissions_per_minute AS SubmissionsPerMinute, enabled AS Enabled,
        created_at AS CreatedAt
        """;

    private const string InsertSql = """
        INSERT INTO web_forms (id, tenant_id, form_key, name, lead_source, field_map, allowed_origins, honeypot_field, captcha_provider,
                               captcha_secret_ciphertext, submissions_per_minute, created_at, updated_at)
        VALUES (@Id, @TenantId, @FormKey, @Name, @LeadSource, @FieldMap::jsonb, @AllowedOrigins, @HoneypotField, @CaptchaProvider,
                @CaptchaSecretCiphertext, @SubmissionsPerMinute, @Now, @Now)
        """ + " RETURNING " + Columns;

    private const string GetSql = "SELECT " + Columns + " FROM web_forms WHERE id = @Id";

    private const string FindByKeySql = "SELECT " + Columns + " FROM web_forms WHERE form_key = @FormKey";

    private const string ListSql = "SELECT " + Columns + " FROM web_forms WHERE (@After::uuid IS NULL OR id < @After) ORDER BY id DESC LIMIT @Limit";

    private const string DeleteSql = "DELETE FROM web_forms WHERE id = @Id RETURNING form_key";

    public static Task<WebFormRow> InsertAsync(DbTransactionScope scope, WebFormRow form, DateTimeOffset now) =>
        scope.Connection.QuerySingleAsync<WebFormRow>(scope.Command(InsertSql, new
        {
            form.Id, form.TenantId, form.FormKey, form.Name, form.LeadSource, form.FieldMap, AllowedOrigins = form.Origins, form.HoneypotField,
            form.CaptchaProvider, form.CaptchaSecretCiphertext, form.SubmissionsPerMinute, Now = now,
        }));

    public static Task<WebFormRow?> GetAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<WebFormRow>(scope.Command(GetSql, new { Id = id }));

    public static Task<WebFormRow?> FindByKeyAsync(DbTransactionScope scope, string formKey) =>
        scope.Connection.QuerySingleOrDefaultAsync<WebFormRow>(scope.Command(FindByKeySql, new { FormKey = formKey }));

    public static async Task<IReadOnlyList<WebFormRow>> ListAsync(DbTransactionScope scope, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<WebFormRow>(scope.Command(ListSql, new { After = after, Limit = limit }))).ToList();

    /// <summary>The deleted form's key, or null when there was no such form.</summary>
    public static Task<string?> DeleteAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<string?>(scope.Command(DeleteSql, new { Id = id }));
}
