namespace StreamFlow.Core.Backups;

/// <summary>
/// Runs on a restored database after its data is loaded and its schema brought up to date, before the restore reports
/// success: data that must not come back from an older backup is removed here (privacy's suppression list of erased
/// people). A filter that cannot do its work throws, and the restore fails rather than hand back data it should not.
/// </summary>
public interface IRestoredDataFilter
{
    /// <returns>How many records the filter changed.</returns>
    Task<int> ApplyAsync(string targetDatabase, CancellationToken cancellationToken);
}
