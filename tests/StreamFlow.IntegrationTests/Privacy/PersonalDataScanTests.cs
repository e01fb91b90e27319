using System.Text.Json;
using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy.Detection;
using StreamFlow.Core.Tasks;
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
    public async Task Task_quote_and_visit_text_is_flagged_under_the_lead_and_the_flags_of_a_deleted_visit_go_with_it()
    {
        var tenant = await TenantAsync();
        var created = await services.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", true),
            new LeadInput("Kim", null, null, null, null, "Reference", null, null, null, null, null, null, null, null, null), false, default);
        var lead = created.Value.Lead.Id;
        var task = await services.Get<TaskService>().CreateAsync(new TaskActor(tenant, "test"),
            new TaskInput("Call kim.w@example.net back", "Her husband's cell is 512-555-0187", null, null, null, null, lead, null), default);
        Assert.True(task.Succeeded, task.Problem?.ToString());
        var (quote, job, visit) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        // What the field-operations routes write, inserted as they store it.
        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            """
            INSERT INTO quotes (id, tenant_id, lead_id, number, version, status, title, customer_name, service_address, latitude, longitude,
                currency, lines, tax_rate, subtotal_minor, tax_minor, total_minor, deposit_minor, message, decline_reason, created_by, created_at, updated_at)
            VALUES (@Quote, current_setting('app.tenant_id')::uuid, @Lead, 1, 1, 'declined', 'Boiler', 'Kim', '1 Main St', 30.2, -97.7,
                'USD', '[]', 0, 0, 0, 0, 0, 'Thanks Kim!', 'Too dear; email me at kim.w@example.net', 'test', now(), now());
            INSERT INTO jobs (id, tenant_id, lead_id, customer_name, title, address, latitude, longitude, created_at, updated_at)
            VALUES (@Job, current_setting('app.tenant_id')::uuid, @Lead, 'Kim', 'Boiler', '1 Main St', 30.2, -97.7, now(), now());
            INSERT INTO visits (id, tenant_id, job_id, window_start, window_end, duration_minutes, status, notes, created_at, updated_at, status_changed_at)
            VALUES (@Visit, current_setting('app.tenant_id')::uuid, @Job, now(), now() + interval '2 hours', 60, 'scheduled',
                'Tenant SSN 123-45-6789 taped to the boiler', now(), now(), now());
            """, new { Quote = quote, Job = job, Visit = visit, Lead = lead }, scope.Transaction));

        Assert.False((await Scanner().ForLeadAsync(tenant, lead, default)).Value!.Scanned);
        await Scanner().ScanTenantAsync(tenant, default);
        var flagged = (await Scanner().ForLeadAsync(tenant, lead, default)).Value!;

        Assert.True(flagged.Scanned);
        Assert.Equal(
            new[]
            {
                ("quote", quote, "declineReason", "email"),
                ("task", task.Value!.Id, "notes", "phone"),
                ("task", task.Value!.Id, "title", "email"),
                ("visit", visit, "notes", "ssn"),
            },
            flagged.PersonalData.Where(f => f.RecordType is "task" or "quote" or "visit").Select(f => (f.RecordType, f.RecordId, f.Field, f.Kind)).Order());

        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync("DELETE FROM visits WHERE id = @Visit", new { Visit = visit }, scope.Transaction));
        await Scanner().ScanTenantAsync(tenant, default);

        Assert.DoesNotContain((await Scanner().ForLeadAsync(tenant, lead, default)).Value!.PersonalData, f => f.RecordType == "visit");
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
