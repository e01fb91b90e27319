using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy.Compliance;
using StreamFlow.Core.Privacy.Exports;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>Lead exports on the real database: personal data masked for the roles (and keys) without PersonalDataRead, every export audited.</summary>
[Collection(ServicesCollection.Name)]
public sealed class LeadExportTests(TestServices services)
{
    private const string Notes = "Gate code 4411; SSN 123-45-6789, lives at 1423 Maple Ave, Austin, TX 78701";

    [Theory]
    [InlineData(ClientRole.Owner, false)]
    [InlineData(ClientRole.Admin, false)]
    [InlineData(ClientRole.Manager, false)]
    [InlineData(ClientRole.Staff, true)]
    [InlineData(ClientRole.Employee, true)]
    public async Task Each_role_gets_personal_data_masked_unless_it_may_read_it(ClientRole role, bool masked)
    {
        var tenant = await TenantWithLeadAsync();

        var export = await Exports().ExportAsync(Caller(tenant, role), RequestOrigin.None, "json", default);

        Assert.True(export.Succeeded, export.Problem?.ToString());
        Assert.Equal("application/json", export.Value.ContentType);
        var document = JsonNode.Parse(export.Value.Content)!.AsObject();
        var lead = Assert.Single(document["items"]!.AsArray())!.AsObject();
        Assert.Equal(masked, document["masked"]!.GetValue<bool>());
        Assert.Equal("Dana", lead["firstName"]!.GetValue<string>());
        if (masked)
        {
            Assert.Equal("[EMAIL]", lead["email"]!.GetValue<string>());
            Assert.Equal("[PHONE]", lead["phone"]!.GetValue<string>());
            Assert.Equal("[ADDRESS]", lead["postalCode"]!.GetValue<string>());
            Assert.Equal("Gate code 4411; SSN [SSN], lives at [ADDRESS]", lead["notes"]!.GetValue<string>());
            Assert.Equal("call [PHONE]", lead["attributes"]!["Alt Contact"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal("dana@example.com", lead["email"]!.GetValue<string>());
            Assert.Equal("+15125550100", lead["phone"]!.GetValue<string>());
            Assert.Equal("78701", lead["postalCode"]!.GetValue<string>());
            Assert.Equal(Notes, lead["notes"]!.GetValue<string>());
            Assert.Equal("call 512-555-0142", lead["attributes"]!["Alt Contact"]!.GetValue<string>());
        }

        Assert.Equal(12000, lead["attributes"]!["Budget"]!.GetValue<int>());
        var audited = await InTenantAsync(tenant, scope => scope.Connection.QuerySingleAsync<string>(
            "SELECT details::text FROM audit_log WHERE tenant_id = @Tenant AND action = 'privacy.leads.exported'", new { Tenant = tenant }, scope.Transaction));
        Assert.Contains($"\"masked\": {(masked ? "true" : "false")}", audited, StringComparison.Ordinal);
        Assert.DoesNotContain("dana", audited, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_owners_api_key_without_the_personal_data_scope_gets_a_masked_csv()
    {
        var tenant = await TenantWithLeadAsync();
        var key = new ClientApiKey(Guid.NewGuid(), "CRM sync", "sf_live_x", new HashSet<Permission> { Permission.LeadsRead }, 60);

        var export = await Exports().ExportAsync(Caller(tenant, ClientRole.Owner) with { ApiKey = key }, RequestOrigin.None, "csv", default);

        Assert.True(export.Succeeded, export.Problem?.ToString());
        var lines = Encoding.UTF8.GetString(export.Value.Content).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,firstName,lastName,company,email,phone,source,externalId,postalCode,city,state,country,stage,outcome,scoreValue,scoreTier,notes,attributes,createdAt,updatedAt", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Contains(",[EMAIL],[PHONE],", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("dana@", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("6789", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("Maple", lines[1], StringComparison.Ordinal);
        var evidence = await services.Get<ComplianceEvidenceService>().BuildAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(5), default);
        Assert.Contains(evidence.Value!.PersonalDataAccess, entry => entry.TenantId == tenant && entry.Action == "privacy.leads.exported" && entry.Actor == $"apikey:{key.Id}");
    }

    [Fact]
    public async Task A_format_other_than_csv_or_json_is_refused_naming_the_field()
    {
        var tenant = await TenantWithLeadAsync();

        var export = await Exports().ExportAsync(Caller(tenant, ClientRole.Owner), RequestOrigin.None, "xlsx", default);

        Assert.Equal(ProblemKind.Validation, export.Problem?.Kind);
        Assert.Equal(["format"], export.Problem!.Errors!.Keys);
    }

    private static ClientPrincipal Caller(Guid tenant, ClientRole role) =>
        new(tenant, Guid.NewGuid(), Guid.NewGuid(), "someone@example.com", role, 1000, 1000);

    private LeadExportService Exports() => services.Get<LeadExportService>();

    private Task<T> InTenantAsync<T>(Guid tenant, Func<DbTransactionScope, Task<T>> work) =>
        services.Get<StreamFlowDatabase>().InTenantAsync(tenant, work, default);

    private async Task<Guid> TenantWithLeadAsync()
    {
        var slug = $"lex-{Guid.NewGuid():N}"[..20];
        var tenant = (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Export", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
        var created = await services.Get<LeadService>().CreateAsync(new LeadActor(tenant, "test", true),
            new LeadInput("Dana", "Reyes", null, "dana@example.com", "+1 512 555 0100", "Reference", null, "78701", "TX", "Austin", "US", Notes, null, null, null),
            false, default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            """UPDATE leads SET attributes = '{"Alt Contact": "call 512-555-0142", "Budget": 12000}' WHERE id = @Id""",
            new { created.Value.Lead.Id }, scope.Transaction));
        return tenant;
    }
}
