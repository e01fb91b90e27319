using Npgsql;
using StreamFlow.Core.Webhooks;
using StreamFlow.Tests.Shared;
using Xunit.Abstractions;

namespace StreamFlow.EndToEndTests.Webhooks;

/// <summary>
/// Runs after every other test of this assembly (<see cref="ContractChecksLast"/>) and validates every webhook event
/// the suite made the hosts emit, in every tenant with users, against the schema the event-types route publishes.
/// </summary>
[Collection(EmittedEventsCollection.Name)]
public sealed class EmittedEventsConformTests(ITestOutputHelper output)
{
    private const string TenantIds = "SELECT id FROM tenants";

    // Tenants without users are skipped: the integration tests share this database, and their webhook harness
    // publishes made-up payloads into bare tenants of its own to exercise delivery. Every tenant a product flow
    // creates has its owner.
    private const string TenantEvents =
        "SELECT set_config('app.tenant_id', @TenantId::text, true); " +
        "SELECT id, event_type, payload::text FROM webhook_messages WHERE EXISTS (SELECT 1 FROM users)";

    [Fact]
    public async Task Every_event_the_suite_emitted_conforms_to_its_published_schema()
    {
        var contract = new WebhookEventContract(WebhookEventCatalog.All.Select(e => (e.Name, e.DataSchema.GetRawText())));

        var events = await EmittedEventsAsync();
        var violations = contract.Check(events);

        output.WriteLine($"{events.Count} events checked: " + string.Join(", ", events.GroupBy(e => e.EventType).OrderBy(g => g.Key).Select(g => $"{g.Key} × {g.Count()}")));
        Assert.True(events.Count > 0, "The suite emitted no webhook event: nothing was checked.");
        Assert.True(violations.Count == 0, string.Join('\n', violations.Take(50)));
    }

    private static async Task<List<(string Id, string EventType, string DataJson)>> EmittedEventsAsync()
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
        await connection.OpenAsync();
        var tenants = new List<Guid>();
        await using (var command = new NpgsqlCommand(TenantIds, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tenants.Add(reader.GetGuid(0));
            }
        }

        var events = new List<(string, string, string)>();
        foreach (var tenant in tenants)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand(TenantEvents, connection, transaction);
            command.Parameters.AddWithValue("TenantId", tenant);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.NextResultAsync();
            while (await reader.ReadAsync())
            {
                events.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        return events;
    }
}

[CollectionDefinition(Name)]
public sealed class EmittedEventsCollection
{
    public const string Name = "emitted webhook events (runs last)";
}
