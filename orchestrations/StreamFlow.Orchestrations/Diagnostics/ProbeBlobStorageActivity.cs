using System.Diagnostics;
using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using StreamFlow.Core.Storage;

namespace StreamFlow.Orchestrations.Diagnostics;

/// <summary>Writes a blob named after the run, reads it back and compares. Idempotent: a retry overwrites it.</summary>
public sealed class ProbeBlobStorageActivity(BlobServiceClient blobs) : TaskActivity<ProbeRequest, ProbeResult>
{
    public override async Task<ProbeResult> RunAsync(TaskActivityContext context, ProbeRequest input)
    {
        var started = Stopwatch.GetTimestamp();
        var container = blobs.GetBlobContainerClient(BlobContainerNames.Platform);
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient($"self-tests/{input.RunId}.txt");
        var payload = BinaryData.FromString($"self-test {input.RunId}");
        await blob.UploadAsync(payload, overwrite: true);
        var readBack = (await blob.DownloadContentAsync()).Value.Content;
        var matches = readBack.ToMemory().Span.SequenceEqual(payload.ToMemory().Span);
        return new ProbeResult(
            TaskNames.ProbeBlobStorage,
            matches,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            matches ? $"wrote and read {payload.ToMemory().Length} bytes" : "the blob read back differs from what was written");
    }
}
