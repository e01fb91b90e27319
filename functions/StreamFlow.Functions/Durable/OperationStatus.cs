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
    /// <summary>An operation committed but not started yet (its orchestration does not exist).</summary>
    public static OperationStatus Pending(string id, string name, DateTimeOffset createdAt) =>
        new(id, name, "pending", createdAt, createdAt, null, null, null);

    public static OperationStatus From(OrchestrationMetadata metadata)
    {
        var progress = Parse(metadata.SerializedCustomStatus);
        return new(
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
            progress,
            metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? Parse(metadata.SerializedOutput) : null,
            metadata.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated ? FailureOf(metadata, progress) : null);
    }

    /// <summary>
    /// The failure's message. The Azure Storage backend keeps no failure details in its instance table, so the
    /// message is also looked for in the output and in the progress the operation last reported (its <c>error</c>).
    /// </summary>
    private static string FailureOf(OrchestrationMetadata metadata, JsonElement? progress)
    {
        if (metadata.FailureDetails?.ErrorMessage is { Length: > 0 } message)
        {
            return message;
        }

        if (OutputMessage(metadata.SerializedOutput) is { Length: > 0 } outputMessage)
        {
            return outputMessage;
        }

        return progress is { ValueKind: JsonValueKind.Object } reported
            && reported.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String && error.GetString() is { Length: > 0 } progressError
            ? progressError
            : "The operation failed.";
    }

    private static string? OutputMessage(string? output)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            return root.ValueKind switch
            {
                JsonValueKind.String => root.GetString(),
                JsonValueKind.Object when root.TryGetProperty("ErrorMessage", out var m) || root.TryGetProperty("errorMessage", out m) => m.GetString(),
                _ => output,
            };
        }
        catch (JsonException)
        {
            return output;
        }
    }

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
