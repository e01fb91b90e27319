using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>Implemented by request records that check their own fields after binding.</summary>
public interface IValidatableRequest
{
    void Validate(ValidationErrors errors);
}

/// <summary>
/// Reads JSON bodies the same way in both hosts: wrong content type, oversized, empty, malformed or mistyped
/// bodies become 4xx problems instead of the worker's 500.
/// </summary>
public sealed class RequestBody(HttpLimits limits)
{
    public async Task<Result<T>> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!IsJson(request.ContentType))
        {
            return new Problem(ProblemKind.UnsupportedMediaType, "Send the body as application/json.");
        }

        if (request.ContentLength > limits.MaxJsonBodyBytes)
        {
            return TooLarge();
        }

        var buffer = await ReadLimitedAsync(request.Body, limits.MaxJsonBodyBytes, cancellationToken);
        if (buffer is null)
        {
            return TooLarge();
        }

        if (buffer.Length == 0)
        {
            return Problem.Validation("$", "The request body is empty.");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(buffer, StreamFlowJson.Options);
        }
        catch (JsonException exception)
        {
            return Problem.Validation(FieldOf(exception), MessageOf(exception));
        }

        if (value is null)
        {
            return Problem.Validation("$", "The request body must be a JSON object.");
        }

        if (value is IValidatableRequest validatable)
        {
            var errors = new ValidationErrors();
            validatable.Validate(errors);
            if (errors.ToProblem() is { } problem)
            {
                return problem;
            }
        }

        return value;
    }

    /// <summary>The body exactly as sent (for signatures computed over the raw bytes), within the JSON size limit.</summary>
    public async Task<Result<byte[]>> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxJsonBodyBytes)
        {
            return TooLarge();
        }

        return await ReadLimitedAsync(request.Body, limits.MaxJsonBodyBytes, cancellationToken) is { } buffer ? buffer : TooLarge();
    }

    private Problem TooLarge() =>
        new(ProblemKind.PayloadTooLarge, $"The request body must be at most {limits.MaxJsonBodyBytes} bytes.");

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (copy.Length + read > limit)
            {
                return null;
            }

            copy.Write(chunk, 0, read);
        }

        return copy.ToArray();
    }

    private static string FieldOf(JsonException exception) =>
        string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "$" : exception.Path.TrimStart('$', '.');

    private static string MessageOf(JsonException exception)
    {
        if (exception.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return "has the wrong type.";
        }

        return exception.LineNumber is { } line
            ? $"is not valid JSON (line {line + 1}, position {exception.BytePositionInLine + 1})."
            : "is not valid JSON.";
    }
}
