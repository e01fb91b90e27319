using Azure.Storage.Blobs;
using Dapper;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Storage;

namespace StreamFlow.IntegrationTests.Audit;

/// <summary>
/// Tampering is done as the owner role (the application role cannot update or delete at all), with the append-only
/// trigger switched off as only a table owner can; every kind of tampering must still be detected.
/// </summary>
public sealed class AuditChainTests(ScratchDatabase services) : IClassFixture<ScratchDatabase>
{
    private readonly AuditLog _audit = services.Get<AuditLog>();
    private readonly AuditChainVerifier _verifier = services.Get<AuditChainVerifier>();

    [Fact]
    public async Task An_untouched_chain_verifies()
    {
        await AppendAsync(3);

        var result = await _verifier.VerifyAsync(CancellationToken.None);

        Assert.True(result.Valid, result.Reason);
        Assert.Null(result.FirstBrokenSequence);
    }

    [Fact]
    public async Task The_application_role_cannot_update_or_delete_entries()
    {
        await AppendAsync(1);
        await using var connection = await services.Get<NpgsqlDataSource>().OpenConnectionAsync();

        var update = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE audit_log SET actor = 'x'"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("DELETE FROM audit_log"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);
    }

    [Fact]
    public async Task The_trigger_refuses_changes_even_by_the_owner()
    {
        await AppendAsync(1);
        await using var owner = await OpenOwnerAsync();

        await owner.ExecuteAsync("SELECT set_config('app.audit_scope', 'chain', false)");
        var update = await Assert.ThrowsAsync<PostgresException>(() => owner.ExecuteAsync("UPDATE audit_log SET actor = 'x'"));
        var truncate = await Assert.ThrowsAsync<PostgresException>(() => owner.ExecuteAsync("TRUNCATE audit_log"));

        Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);
        Assert.Contains("append-only", truncate.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_entry_is_detected_at_its_sequence()
    {
        var sequence = (await AppendAsync(3))[1];

        await TamperAsync($"UPDATE audit_log SET outcome = 'failed' WHERE sequence = {sequence};");
        var result = await _verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(sequence, result.FirstBrokenSequence);
        await RepairAsync();
    }

    [Fact]
    public async Task A_deleted_entry_is_detected()
    {
        var sequence = (await AppendAsync(3))[1];

        await TamperAsync($"DELETE FROM audit_log WHERE sequence = {sequence};");
        var result = await _verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(sequence, result.FirstBrokenSequence);
        await RepairAsync();
    }

    [Fact]
    public async Task Reordered_entries_are_detected()
    {
        var sequences = await AppendAsync(3);

        await TamperAsync($"""
            UPDATE audit_log SET sequence = -1 WHERE sequence = {sequences[0]};
            UPDATE audit_log SET sequence = {sequences[0]} WHERE sequence = {sequences[1]};
            UPDATE audit_log SET sequence = {sequences[1]} WHERE sequence = -1;
            """);
        var result = await _verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(sequences[0], result.FirstBrokenSequence);
        await RepairAsync();
    }

    [Fact]
    public async Task Truncating_the_end_and_rewinding_the_head_is_caught_by_the_published_head()
    {
        var sequences = await AppendAsync(3);
        await services.Get<AuditChainHeadPublisher>().PublishAsync(CancellationToken.None);

        await TamperAsync($"""
            DELETE FROM audit_log WHERE sequence >= {sequences[1]};
            UPDATE audit_chain_head SET last_sequence = p.sequence, last_hash = p.hash FROM audit_log p WHERE p.sequence = {sequences[0]};
            """);
        var result = await _verifier.VerifyAsync(CancellationToken.None);

        Assert.False(result.Valid);
        Assert.Equal(sequences[1], result.FirstBrokenSequence);
        await RepairAsync();
    }

    private async Task<long[]> AppendAsync(int count)
    {
        var sequences = new List<long>();
        for (var i = 0; i < count; i++)
        {
            await _audit.RecordAsync(new AuditEvent(AuditSystem.Platform, null, "test", $"test.event.{i}", null, AuditOutcome.Succeeded, RequestOrigin.None), CancellationToken.None);
            await using var owner = await OpenOwnerAsync();
            sequences.Add(await owner.ExecuteScalarAsync<long>("SELECT last_sequence FROM audit_chain_head"));
        }

        return [.. sequences];
    }

    private async Task<NpgsqlConnection> OpenOwnerAsync()
    {
        var connection = new NpgsqlConnection(services.Configuration["Postgres:OwnerConnectionString"]);
        await connection.OpenAsync();
        return connection;
    }

    private async Task TamperAsync(string sql)
    {
        await using var owner = await OpenOwnerAsync();
        await owner.ExecuteAsync($"""
            ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
            SELECT set_config('app.audit_scope', 'chain', false);
            {sql}
            ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
            """);
    }

    /// <summary>Empties the log and the head so that the next test starts from a valid chain.</summary>
    private async Task RepairAsync()
    {
        await using var owner = await OpenOwnerAsync();
        await owner.ExecuteAsync("""
            ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate;
            TRUNCATE audit_log;
            ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_truncate;
            UPDATE audit_chain_head SET last_sequence = 0, last_hash = decode(repeat('00', 32), 'hex');
            """);
        await services.Get<BlobServiceClient>().GetBlobContainerClient(BlobContainerNames.Platform).GetBlobClient(services.Configuration["Audit:ChainHeadBlob"]).DeleteIfExistsAsync();
    }
}
