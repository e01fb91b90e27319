using System.Text.Json;
using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy.Detection;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>The personal-data scan on the real database: notes, attributes and timeline flagged by kind and count, never by value.</summary>
[Collection(ServicesCollection.Name)]
public sealed class PersonalDataScanTests(TestServices services)
{
    [Fact]
    public async Task Notes_attributes_and_timeline_are_flagged_with_kinds_and_counts_and_rescanned_after_a_change()
    {
        var tenant = await TenantAsync();
        var actor = new LeadActor(tenant, "test", true);
        var leads = services.Get<LeadService>();
        var created = await leads.CreateAsync(actor, new LeadInput("Dana", null, null, null, null, "Reference", null, null, null, null, null,
            "Gate code with neighbour; reach her at dana.home@example.org or 1423 Maple Ave, Austin, TX 78701.", null, null, null), false, default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        var lead = created.Value.Lead.Id;
        // What an import writes: its extra columns land in attributes.
        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            """UPDATE leads SET attributes = '{"Alt Contact": "call 512-555-0142 or 512-555-0199", "Budget": "12000"}', updated_at = now() WHERE id = @Id""",
            new { Id = lead }, scope.Transaction));
        var note = await leads.AddNoteAsync(actor, lead, "Paid by card 4111 1111 1111 1111, SSN on file 123-45-6789", default);
        Assert.True(note.Succeeded, note.Problem?.ToString());

        var before = (await Scanner().ForLeadAsync(tenant, lead, default)).Value!;
        var scannedCount = await Scanner().ScanTenantAsync(tenant, default);
        var nothingLeft = await Scanner().ScanTenantAsync(tenant, default);
        var after = (await Scanner().ForLeadAsync(tenant, lead, default)).Value!;

        Assert.False(before.Scanned);
        Assert.Empty(before.PersonalData);
        Assert.True(scannedCount >= 2);
        Assert.Equal(0, nothingLeft);
        Assert.True(after.Scanned);
        Assert.Equal(
            new[]
            {
                ("lead", lead, "attributes.Alt Contact", "phone", 2),
                ("lead", lead, "notes", "address", 1),
                ("lead", lead, "notes", "email", 1),
                ("lead_activity", note.Value!.Id, "body", "card", 1),
                ("lead_activity", note.Value!.Id, "body", "ssn", 1),
            },
            after.PersonalData.Where(f => f.RecordType == "lead" || f.RecordId == note.Value!.Id)
                .Select(f => (f.RecordType, f.RecordId, f.Field, f.Kind, f.Count)).Order());
        var stored = await InTenantAsync(tenant, scope => scope.Connection.QuerySingleAsync<string>(
            "SELECT string_agg(found::text, ' ') FROM personal_data_flags", transaction: scope.Transaction));
        foreach (var value in new[] { "dana.home", "Maple", "555-0142", "4111", "6789" })
        {
            Assert.DoesNotContain(value, stored, StringComparison.Ordinal);
        }

        var changed = await leads.UpdateAsync(actor, lead, new LeadUpdate(new LeadInput(null, null, null, null, null, null, null, null, null, null, null,
            "Prefers mornings.", null, null, null), null), default);
        Assert.True(changed.Succeeded, changed.Problem?.ToString());
        Assert.False((await Scanner().ForLeadAsync(tenant, lead, default)).Value!.Scanned);
        Assert.True(await Scanner().ScanTenantAsync(tenant, default) >= 1);
        var rescanned = (await Scanner().ForLeadAsync(tenant, lead, default)).Value!;
        Assert.Equal(new[] { ("attributes.Alt Contact", "phone") }, rescanned.PersonalData.Where(f => f.RecordType == "lead").Select(f => (f.Field, f.Kind)));
        Assert.Contains(rescanned.PersonalData, f => f.RecordId == note.Value!.Id);
        Assert.Contains("\"kind\":\"phone\"", JsonSerializer.Serialize(rescanned, StreamFlowJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_business_lead_is_not_found()
    {
        var (mine, theirs) = (await TenantAsync(), await TenantAsync());
        var created = await services.Get<LeadService>().CreateAsync(new LeadActor(theirs, "test", true),
            new LeadInput("Eve", null, null, null, null, "Reference", null, null, null, null, null, "eve@example.com", null, null, null), false, default);
        await Scanner().ScanTenantAsync(theirs, default);

        var answer = await Scanner().ForLeadAsync(mine, created.Value.Lead.Id, default);

        Assert.Equal(ProblemKind.NotFound, answer.Problem?.Kind);
    }

    private PersonalDataScanner Scanner() => services.Get<PersonalDataScanner>();

    private Task<T> InTenantAsync<T>(Guid tenant, Func<DbTransactionScope, Task<T>> work) =>
        services.Get<StreamFlowDatabase>().InTenantAsync(tenant, work, default);

    private async Task<Guid> TenantAsync()
    {
        var slug = $"pds-{Guid.NewGuid():N}"[..20];
        return (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Scan", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
    }
}
