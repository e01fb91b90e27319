using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Backups;

namespace StreamFlow.Functions.Backups;

public sealed record RestoreBody(string? TargetDatabase, string? Confirmation);

/// <summary>Developers take backups, list them and restore one into a named database.</summary>
public sealed class BackupFunctions(RequestBody body, BackupStorage storage, BackupLauncher launcher, PlatformOperations operations, FunctionCatalog catalog)
{
    [Function("StartBackup")]
    [DeveloperAccess]
    [ApiOperation("Takes an encrypted backup of the whole database now, then applies retention and verifies it by restoring into a scratch database.",
        Tag = "Developer", Response = typeof(OperationAccepted), SuccessStatus = 202)]
    public async Task<IResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dev/backups")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var instanceId = await launcher.StartBackupAsync($"developer:{request.Operator().Email}", cancellationToken);
        return Accepted(request, instanceId);
    }

    [Function("ListBackups")]
    [DeveloperAccess]
    [ApiOperation("Every backup with its manifest: sizes, hashes, schema version, row counts, key id, times.", Tag = "Developer",
        Response = typeof(BackupManifest[]))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/backups")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await storage.ListAsync(cancellationToken));

    [Function("StartRestore")]
    [DeveloperAccess]
    [ApiOperation("Restores a backup into a new database named targetDatabase; confirmation must repeat the target database name. Durable, with progress.",
        Tag = "Developer", RequestBody = typeof(RestoreBody), Response = typeof(OperationAccepted), SuccessStatus = 202, Problems = [404, 409])]
    public async Task<IResult> Restore(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dev/backups/{id}/restore")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var restore = await body.ReadJsonAsync<RestoreBody>(request, cancellationToken);
        if (!restore.Succeeded)
        {
            return ApiResults.Problem(restore.Problem, request.HttpContext);
        }

        var started = await launcher.StartRestoreAsync(new RestoreCommand(id, restore.Value.TargetDatabase, restore.Value.Confirmation), $"developer:{request.Operator().Email}", cancellationToken);
        return started.Succeeded ? Accepted(request, started.Value) : ApiResults.Problem(started.Problem, request.HttpContext);
    }

    [Function("GetBackupOperation")]
    [DeveloperAccess]
    [ApiOperation("The status of a backup or restore run, with progress.", Tag = "Developer", Response = typeof(OperationStatus), Problems = [404])]
    public async Task<IResult> Operation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/backups/operations/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var status = await PlatformOperationStatus.ReadAsync(operations, durable, id, [TaskNames.DatabaseBackup, TaskNames.DatabaseRestore], cancellationToken);
        return status is null
            ? ApiResults.Problem(Problem.NotFound("The backup operation"), request.HttpContext)
            : ApiResults.Json(status);
    }

    private IResult Accepted(HttpRequest request, string instanceId) =>
        OperationUrls.Accepted(request, instanceId, $"{catalog.RoutePrefix}/v1/dev/backups/operations/{instanceId}");
}
