using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Mfa;

/// <summary>The SQL of accepted TOTP steps per subject (a platform table), in the caller's transaction.</summary>
internal static class TotpStepStore
{
    private const string RecordStepSql = """
        INSERT INTO totp_used_steps (subject, step, used_at) VALUES (@Subject, @Step, @UsedAt)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Records the step as used; 0 when it was used before.</summary>
    public static Task<int> RecordAsync(DbTransactionScope scope, string subject, long step, DateTimeOffset usedAt) =>
        scope.Connection.ExecuteAsync(scope.Command(RecordStepSql, new { Subject = subject, Step = step, UsedAt = usedAt }));
}
