using Microsoft.DurableTask;
using StreamFlow.Core.Connections;
using StreamFlow.Core.LeadSources;

namespace StreamFlow.Orchestrations.Connections;

public sealed class BeginConnectionSyncActivity(ConnectionService connections) : TaskActivity<ConnectionSyncInput, string?>
{
    public override async Task<string?> RunAsync(TaskActivityContext context, ConnectionSyncInput input) =>
        await connections.BeginSyncAsync(input.TenantId, input.ConnectionId, input.SyncId, CancellationToken.None);
}

public sealed class SyncConnectionPageActivity(ConnectionService connections) : TaskActivity<SyncPageRequest, SyncPageOutcome>
{
    public override Task<SyncPageOutcome> RunAsync(TaskActivityContext context, SyncPageRequest input) =>
        connections.SyncPageAsync(input.TenantId, input.ConnectionId, input.SyncId, input.Page, CancellationToken.None);
}

public sealed class RecordConnectionSyncWaitActivity(ConnectionService connections) : TaskActivity<SyncWait, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, SyncWait input)
    {
        await connections.RecordWaitAsync(input.TenantId, input.SyncId, input.Until, input.Error, input.ErrorKind, CancellationToken.None);
        return true;
    }
}

public sealed class FinishConnectionSyncActivity(ConnectionService connections, StreamFlow.Core.Connectors.Health.ConnectorHealth health) : TaskActivity<SyncFinish, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, SyncFinish input)
    {
        await connections.FinishSyncAsync(input.TenantId, input.ConnectionId, input.SyncId, input.Error, input.ErrorKind, CancellationToken.None);
        if (input.Error is not null)
        {
            // The owners hear once per breakage, after N failures in a row (docs/connectors.md).
            await health.AlertIfFailingAsync(input.TenantId, input.ConnectionId, CancellationToken.None);
        }

        return true;
    }
}

public sealed class ProcessSourceAttachmentsActivity(SourceAttachments attachments) : TaskActivity<SourceAttachmentBatch, List<Guid>>
{
    public override async Task<List<Guid>> RunAsync(TaskActivityContext context, SourceAttachmentBatch input) =>
        [.. await attachments.ProcessPendingAsync(input.TenantId, input.Max, CancellationToken.None)];
}
