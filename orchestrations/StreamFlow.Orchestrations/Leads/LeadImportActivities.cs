using Microsoft.DurableTask;
using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Orchestrations.Leads;

public sealed class ParseLeadImportActivity(LeadImportService imports) : TaskActivity<LeadImportInput, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, LeadImportInput input) =>
        imports.ParseAsync(input.TenantId, input.ImportId, CancellationToken.None);
}

public sealed class ImportLeadChunkActivity(LeadImportService imports) : TaskActivity<ImportChunkRequest, ImportChunkOutcome>
{
    public override async Task<ImportChunkOutcome> RunAsync(TaskActivityContext context, ImportChunkRequest input)
    {
        var result = await imports.ImportChunkAsync(input.TenantId, input.ImportId, input.ChunkIndex, CancellationToken.None);
        return new ImportChunkOutcome(result.Processed, result.Failed);
    }
}

public sealed class FinishLeadImportActivity(LeadImportService imports) : TaskActivity<LeadImportFinish, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, LeadImportFinish input)
    {
        await (input.Error is null
            ? imports.CompleteAsync(input.TenantId, input.ImportId, CancellationToken.None)
            : imports.FailAsync(input.TenantId, input.ImportId, input.Error, CancellationToken.None));
        return true;
    }
}
