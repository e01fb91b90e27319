using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy;

internal sealed record PlainLeadFields(Guid Id, string? Email, string? Phone, string? Notes, string? PostalCode, string? State, string? City, string? Country);

internal sealed record PlainMfaSecret(Guid Id, string Secret);

/// <summary>The SQL of the backfill that seals values still in the plain_* columns (rows from before 0121, or restored from an older backup).</summary>
internal static class PersonalDataBackfillStore
{
    // tenants is a platform table: the backfill lists them without a tenant set, then works inside each tenant.
    private const string TenantsSql = "SELECT id FROM tenants ORDER BY id";

    private const string PlainLeadsSql = """
        SELECT id AS Id, plain_email AS Email, plain_phone AS Phone, plain_notes AS Notes,
               plain_postal_code AS PostalCode, plain_state AS State, plain_city AS City, plain_country AS Country FROM leads
        WHERE plain_email IS NOT NULL OR plain_phone IS NOT NULL OR plain_notes IS NOT NULL
           OR plain_postal_code IS NOT NULL OR plain_state IS NOT NULL OR plain_city IS NOT NULL OR plain_country IS NOT NULL
        ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    // A plain value only fills a sealed column that is empty: a row sealed since keeps its newer value.
    private const string SealLeadSql = """
        UPDATE leads SET email_sealed = coalesce(email_sealed, @EmailSealed), email_index = coalesce(email_index, @EmailIndex),
            phone_sealed = coalesce(phone_sealed, @PhoneSealed), phone_index = coalesce(phone_index, @PhoneIndex),
            notes_terms = CASE WHEN notes_sealed IS NULL THEN @NotesTerms ELSE notes_terms END, notes_sealed = coalesce(notes_sealed, @NotesSealed),
            postal_area_index = CASE WHEN postal_code_sealed IS NULL THEN @PostalAreaIndex ELSE postal_area_index END,
            postal_code_sealed = coalesce(postal_code_sealed, @PostalCodeSealed),
            state_index = CASE WHEN state_sealed IS NULL THEN @StateIndex ELSE state_index END, state_sealed = coalesce(state_sealed, @StateSealed),
            city_sealed = coalesce(city_sealed, @CitySealed), country_sealed = coalesce(country_sealed, @CountrySealed),
            personal_key_version = coalesce(personal_key_version, @KeyVersion), plain_email = NULL, plain_phone = NULL, plain_notes = NULL,
            plain_postal_code = NULL, plain_state = NULL, plain_city = NULL, plain_country = NULL
        WHERE id = @Id
        """;

    private const string PlainMfaSecretsSql = """
        SELECT id AS Id, plain_mfa_secret AS Secret FROM users WHERE plain_mfa_secret IS NOT NULL ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    private const string SealMfaSecretSql = """
        UPDATE users SET mfa_secret_sealed = coalesce(mfa_secret_sealed, @Sealed), mfa_key_version = coalesce(mfa_key_version, @KeyVersion),
            plain_mfa_secret = NULL
        WHERE id = @Id
        """;

    public static async Task<IReadOnlyList<Guid>> TenantsAsync(DbTransactionScope scope) => (await scope.QueryAsync<Guid>(TenantsSql)).ToList();

    public static async Task<IReadOnlyList<PlainLeadFields>> PlainLeadsAsync(DbTransactionScope scope, int limit) =>
        (await scope.QueryAsync<PlainLeadFields>(PlainLeadsSql, new { Limit = limit })).ToList();

    public static Task SealLeadAsync(DbTransactionScope scope, Guid id, SealedLeadFields fields) =>
        scope.ExecuteAsync(SealLeadSql, new
        {
            Id = id, fields.EmailSealed, fields.EmailIndex, fields.PhoneSealed, fields.PhoneIndex, fields.NotesSealed, fields.NotesTerms,
            fields.PostalCodeSealed, fields.PostalAreaIndex, fields.StateSealed, fields.StateIndex, fields.CitySealed, fields.CountrySealed, fields.KeyVersion,
        });

    public static async Task<IReadOnlyList<PlainMfaSecret>> PlainMfaSecretsAsync(DbTransactionScope scope, int limit) =>
        (await scope.QueryAsync<PlainMfaSecret>(PlainMfaSecretsSql, new { Limit = limit })).ToList();

    public static Task SealMfaSecretAsync(DbTransactionScope scope, Guid id, byte[] sealedSecret, int keyVersion) =>
        scope.ExecuteAsync(SealMfaSecretSql, new { Id = id, Sealed = sealedSecret, KeyVersion = keyVersion });
}
