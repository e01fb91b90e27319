using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Clients;

/// <summary>The SQL of client users; every statement runs in a transaction scoped to the user's tenant.</summary>
internal static class UserStore
{
    private const string LockTenantUsersSql = "SELECT pg_advisory_xact_lock(hashtextextended(@Key, 0))";

    private const string Columns = """
        id AS Id, tenant_id AS TenantId, email AS Email, name AS Name, role AS Role, status AS Status,
        password_hash AS PasswordHash, mfa_secret_sealed AS MfaSecretSealed, mfa_enabled AS MfaEnabled,
        recovery_code_hashes AS RecoveryCodeHashes, created_at AS CreatedAt
        """;

    private const string InsertSql = """
        INSERT INTO users (id, tenant_id, email, name, role, status, password_hash, password_changed_at, created_at, updated_at)
        VALUES (@Id, @TenantId, @Email, @Name, @Role, @Status, @PasswordHash, CASE WHEN @PasswordHash IS NULL THEN NULL ELSE @Now END, @Now, @Now)
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM users WHERE id = @Id";

    private const string ByEmailSql = $"SELECT {Columns} FROM users WHERE email = @Email";

    private const string PageSql = $"SELECT {Columns} FROM users WHERE (@After IS NULL OR id > @After) ORDER BY id LIMIT @Limit";

    private const string ActiveOwnersSql = "SELECT count(*) FROM users WHERE role = 'owner' AND status = 'active'";

    private const string SetPasswordSql = """
        UPDATE users SET password_hash = @PasswordHash, password_changed_at = @Now, status = CASE WHEN status = 'invited' THEN 'active' ELSE status END, updated_at = @Now
        WHERE id = @Id
        """;

    private const string UpdateSql = """
        UPDATE users SET name = COALESCE(@Name, name), role = COALESCE(@Role, role), status = COALESCE(@Status, status), updated_at = @Now
        WHERE id = @Id
        """;

    private const string DeleteSql = "DELETE FROM users WHERE id = @Id";

    private const string SetMfaSecretSql = "UPDATE users SET mfa_secret_sealed = @Secret, mfa_key_version = @KeyVersion, mfa_enabled = false, updated_at = @Now WHERE id = @Id";

    private const string EnableMfaSql = "UPDATE users SET mfa_enabled = true, recovery_code_hashes = @Codes, updated_at = @Now WHERE id = @Id";

    private const string DisableMfaSql = "UPDATE users SET mfa_enabled = false, mfa_secret_sealed = NULL, mfa_key_version = NULL, recovery_code_hashes = '{}', updated_at = @Now WHERE id = @Id";

    private const string UseRecoveryCodeSql = """
        UPDATE users SET recovery_code_hashes = array_remove(recovery_code_hashes, @Code), updated_at = @Now
        WHERE id = @Id AND @Code = ANY (recovery_code_hashes)
        """;

    public static Task InsertAsync(DbTransactionScope scope, NewUser user) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            user.Id, user.TenantId, user.Email, user.Name, Role = user.Role.ToDatabase(), user.Status, user.PasswordHash, user.Now,
        }));

    public static Task<StoredUser?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredUser>(scope.Command(ByIdSql, new { Id = id }));

    public static Task<StoredUser?> FindByEmailAsync(DbTransactionScope scope, string email) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredUser>(scope.Command(ByEmailSql, new { Email = email }));

    public static async Task<IReadOnlyList<StoredUser>> PageAsync(DbTransactionScope scope, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<StoredUser>(scope.Command(PageSql, new { After = after, Limit = limit }))).ToList();

    public static Task<long> CountActiveOwnersAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<long>(scope.Command(ActiveOwnersSql));

    public static Task SetPasswordAsync(DbTransactionScope scope, Guid id, string passwordHash, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetPasswordSql, new { Id = id, PasswordHash = passwordHash, Now = now }));

    public static Task UpdateAsync(DbTransactionScope scope, Guid id, string? name, ClientRole? role, string? status, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateSql, new { Id = id, Name = name, Role = role?.ToDatabase(), Status = status, Now = now }));

    public static Task DeleteAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.ExecuteAsync(scope.Command(DeleteSql, new { Id = id }));

    public static Task SetMfaSecretAsync(DbTransactionScope scope, Privacy.TenantKeys keys, Guid id, string secret, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetMfaSecretSql, new
        {
            Id = id, Secret = keys.Seal(Privacy.PersonalFields.UsersTable, Privacy.PersonalFields.MfaSecret, id, secret), KeyVersion = keys.CurrentVersion, Now = now,
        }));

    /// <summary>The user's TOTP secret, opened under the tenant's keys; null when none is set.</summary>
    public static string? OpenMfaSecret(Privacy.TenantKeys keys, StoredUser user) => keys.Open(Privacy.PersonalFields.UsersTable, Privacy.PersonalFields.MfaSecret, user.Id, user.MfaSecretSealed);

    public static Task EnableMfaAsync(DbTransactionScope scope, Guid id, string[] recoveryCodeHashes, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(EnableMfaSql, new { Id = id, Codes = recoveryCodeHashes, Now = now }));

    public static Task DisableMfaAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(DisableMfaSql, new { Id = id, Now = now }));

    public static async Task<bool> UseRecoveryCodeAsync(DbTransactionScope scope, Guid id, string codeHash, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(UseRecoveryCodeSql, new { Id = id, Code = codeHash, Now = now })) == 1;

    /// <summary>A transaction lock on the tenant's users, held until commit: changes to them run one at a time.</summary>
    public static Task<int> LockTenantUsersAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteAsync(scope.Command(LockTenantUsersSql, new { Key = $"users:{tenantId}" }));
}
