using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Functions.Durable;

namespace StreamFlow.UnitTests.Durable;

public sealed class OperationStatusTests
{
    private const string FailedRestoreProgress = """
        {"restoreId":"restore-1","backupId":"20261126T023000Z-3f2a9c1e","targetDatabase":"copy","status":"failed","tablesDone":3,"tablesTotal":40,
         "rowsRestored":10,"rowsTotal":900,"currentTable":null,"startedAt":"2026-12-01T10:00:00Z","updatedAt":"2026-12-01T10:00:05Z",
         "finishedAt":"2026-12-01T10:00:05Z","error":"Database copy already exists."}
        """;

    [Fact]
    public void A_failure_with_details_reports_their_message()
    {
        var status = OperationStatus.From(new OrchestrationMetadata("DatabaseRestore", "restore-1")
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Failed,
            FailureDetails = new TaskFailureDetails("BackupOrchestrationException", "Restoring backup b into copy failed: disk full", null, null, null),
        });

        Assert.Equal("failed", status.Status);
        Assert.Equal("Restoring backup b into copy failed: disk full", status.Error);
    }

    [Fact]
    public void A_failed_restore_without_failure_details_reports_the_error_its_progress_recorded()
    {
        var status = OperationStatus.From(new OrchestrationMetadata("DatabaseRestore", "restore-1")
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Failed,
            SerializedCustomStatus = FailedRestoreProgress,
        });

        Assert.Equal("Database copy already exists.", status.Error);
    }

    [Fact]
    public void A_failure_kept_only_in_the_output_reports_that_message()
    {
        var status = OperationStatus.From(new OrchestrationMetadata("DatabaseRestore", "restore-1")
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Failed,
            SerializedOutput = "\"Restoring backup b into copy failed: disk full\"",
            SerializedCustomStatus = FailedRestoreProgress,
        });

        Assert.Equal("Restoring backup b into copy failed: disk full", status.Error);
    }

    [Fact]
    public void A_running_operation_reports_no_error()
    {
        var status = OperationStatus.From(new OrchestrationMetadata("DatabaseRestore", "restore-1")
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Running,
            SerializedCustomStatus = FailedRestoreProgress,
        });

        Assert.Equal("running", status.Status);
        Assert.Null(status.Error);
    }
}
