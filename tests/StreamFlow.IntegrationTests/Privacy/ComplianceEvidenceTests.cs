using Dapper;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy.Compliance;
using StreamFlow.Core.Privacy.SubjectRequests;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>The compliance evidence report over the real database: access per business, privacy audit entries and requests of the period.</summary>
[Collection(ServicesCollection.Name)]
public sealed class ComplianceEvidenceTests(TestServices services)
{
    [Fact]
    public async Task The_report_shows_a_businesss_users_mfa_coverage_its_privacy_audit_entries_and_request_completion_times()
    {
        var tenant = await TenantAsync();
        var requests = services.Get<SubjectRequestService>();
        var started = await requests.StartAsync(tenant, "user:compliance-test", RequestOrigin.None, new SubjectRequestInput("erasure", "nobody-here@example.com", null), default);
        Assert.True(await requests.BeginAsync(tenant, started.Value, default));
        await requests.RunAsync(tenant, started.Value, default);
        await services.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
            "UPDATE users SET mfa_enabled = true WHERE role = 'owner'", null, scope.Transaction), default);

        var report = await services.Get<ComplianceEvidenceService>().BuildAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), default);

        Assert.True(report.Succeeded, report.Problem?.Detail);
        var access = Assert.Single(report.Value.Access, a => a.TenantId == tenant);
        Assert.Equal(1, access.UsersByRole["owner"]);
        Assert.Equal((1L, 1L, (double?)1.0), (access.ActiveUsers, access.MfaEnabled, access.MfaCoverage));
        var actions = report.Value.PersonalDataAccess.Where(e => e.TenantId == tenant).Select(e => e.Action).ToList();
        Assert.Equal(["privacy.erasure.requested", "privacy.erasure.completed"], actions);
        var request = Assert.Single(report.Value.SubjectRequests, r => r.Id == started.Value);
        Assert.Equal(("erasure", "completed"), (request.Kind, request.Status));
        Assert.NotNull(request.CompletionHours);
        Assert.True(report.Value.SubjectRequestSummary.Completed >= 1);
    }

    [Fact]
    public async Task A_period_that_ends_before_it_starts_is_refused()
    {
        var report = await services.Get<ComplianceEvidenceService>().BuildAsync(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(-1), default);

        Assert.Equal(ProblemKind.Validation, report.Problem?.Kind);
    }

    private async Task<Guid> TenantAsync()
    {
        var slug = $"soc-{Guid.NewGuid():N}"[..20];
        return (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Compliance", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
    }
}
