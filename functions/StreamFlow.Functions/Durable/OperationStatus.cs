using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace StreamFlow.Functions.Durable;

/// <summary>The status resource of a long-running operation (the 202 convention of docs/api-conventions.md).</summary>
public sealed record OperationStatus(
    string Id,
    string Name,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    JsonElement? Progress,
    JsonElement? Result,
    string? Error)
{
    public static OperationStatus From(OrchestrationMetadata metadata) => new(
        metadata.InstanceId,
        metadata.Name,
        metadata.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Pending => "pending",
            OrchestrationRuntimeStatus.Completed => "completed",
            OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated => "failed",
            _ => "running",
        },
        metadata.CreatedAt,
        metadata.LastUpdatedAt,
        Parse(metadata.SerializedCustomStatus),
        metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? Parse(metadata.SerializedOutput) : null,
        metadata.FailureDetails?.ErrorMessage);

    private static JsonElement? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonDocument.Parse(json).RootElement.Clone();
}

public sealed record OperationAccepted(string Id, string StatusUrl);

public static class OperationUrls
{
    /// <summary>An absolute status URL on the host the caller reached.</summary>
    public static string StatusUrl(HttpRequest request, string relativePath) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/{relativePath.TrimStart('/')}";

    /// <summary>The 202 answer of a long-running operation: its id, the status URL in the body and in Location.</summary>
    public static IResult Accepted(HttpRequest request, string id, string statusPath)
    {
        var statusUrl = StatusUrl(request, statusPath);
        request.HttpContext.Response.Headers.Location = statusUrl;
        return Http.ApiResults.Json(new OperationAccepted(id, statusUrl), StatusCodes.Status202Accepted);
    }
}
