using System.Text.Json;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Workflows;
using StreamFlow.IntegrationTests.Reports;

namespace StreamFlow.IntegrationTests.Workflows;

/// <summary>The workflow, lead and note every workflow run test saves, creates and counts.</summary>
internal static class WorkflowTestRecords
{
    public static async Task<Guid> SaveAsync(ReportTestBed bed, Guid tenantId, string json)
    {
        var saved = await bed.Get<WorkflowService>().CreateAsync(
            tenantId, "test", JsonSerializer.Deserialize<WorkflowDefinition>(json, StreamFlowJson.Options)!, CancellationToken.None);
        Assert.True(saved.Succeeded, saved.Problem is { } problem ? $"{problem.Detail} {JsonSerializer.Serialize(problem.Errors)}" : null);
        return saved.Value!.Id;
    }

    public static async Task<Guid> CreateLeadAsync(ReportTestBed bed, Guid tenantId, string firstName)
    {
        var created = await bed.Get<LeadService>().CreateAsync(new LeadActor(tenantId, "test", CanAssign: true),
            new LeadInput(firstName, null, null, null, null, "Flyer", null, null, null, null, null, null, null, null, null), mergeDuplicate: false, CancellationToken.None);
        Assert.True(created.Succeeded, created.Problem?.Detail);
        return created.Value.Lead.Id;
    }

    public static async Task<int> NotesAsync(ReportTestBed bed, Guid tenantId, Guid leadId, string body) =>
        (await bed.Get<LeadService>().ActivitiesAsync(tenantId, leadId, 100, null, CancellationToken.None)).Value.Items
            .Count(a => a.Kind == "note" && a.Body == body);
}
