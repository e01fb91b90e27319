using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Connections;

namespace StreamFlow.Functions.Connections;

/// <summary>The sync schedule and the trigger shims over the connection sync classes in StreamFlow.Orchestrations.</summary>
public sealed class ConnectionTriggers(
    ConnectionSyncLauncher launcher,
    BeginConnectionSyncActivity begin,
    SyncConnectionPageActivity syncPage,
    RecordConnectionSyncWaitActivity recordWait,
    FinishConnectionSyncActivity finish,
    ProcessSourceAttachmentsActivity attachments,
    ILogger<ConnectionTriggers> logger)
{
    /// <summary>Starts every due scheduled sync (hourly or daily per connection; SAM.gov's daily fetch is one of them).</summary>
    [Function("StartDueConnectionSyncs")]
    public async Task StartDue([TimerTrigger("%Connections:SyncSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var started = await launcher.StartDueAsync(durable, cancellationToken);
        logger.LogInformation("Scheduled connection syncs started: {Started}", started);
    }

    [Function(TaskNames.ConnectionSync)]
    public static Task<string> ConnectionSync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ConnectionSyncOrchestrator().RunAsync(context, context.GetInput<ConnectionSyncInput>()!);

    [Function(TaskNames.BeginConnectionSync)]
    public Task<string?> BeginConnectionSync([ActivityTrigger] ConnectionSyncInput input) =>
        begin.RunAsync(new FunctionActivityContext(TaskNames.BeginConnectionSync), input);

    [Function(TaskNames.SyncConnectionPage)]
    public Task<Core.Connections.SyncPageOutcome> SyncConnectionPage([ActivityTrigger] SyncPageRequest input) =>
        syncPage.RunAsync(new FunctionActivityContext(TaskNames.SyncConnectionPage), input);

    [Function(TaskNames.RecordConnectionSyncWait)]
    public Task<bool> RecordConnectionSyncWait([ActivityTrigger] SyncWait input) =>
        recordWait.RunAsync(new FunctionActivityContext(TaskNames.RecordConnectionSyncWait), input);

    [Function(TaskNames.FinishConnectionSync)]
    public Task<bool> FinishConnectionSync([ActivityTrigger] SyncFinish input) =>
        finish.RunAsync(new FunctionActivityContext(TaskNames.FinishConnectionSync), input);

    [Function(TaskNames.ProcessSourceAttachments)]
    public Task<List<Guid>> ProcessSourceAttachments([ActivityTrigger] SourceAttachmentBatch input) =>
        attachments.RunAsync(new FunctionActivityContext(TaskNames.ProcessSourceAttachments), input);
}
