using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Idempotency;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>
/// The Idempotency-Key convention of creating POSTs (docs/api-conventions.md): the first answer is kept (24 h) and a repeat
/// with the same key and body gets it again; the same key with another body, or while the first is running, is 409.
/// Keys are scoped to the caller's credentials and the path. 5xx answers are not kept, so a retry runs again.
/// </summary>
public sealed class IdempotentRequests(IdempotencyStore store)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static bool Applies(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Headers[Header].ToString() is { Length: > 0 and <= 255 };

    public async Task RunAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Headers.Authorization}\n{request.Path}\n{request.Headers[Header]}"));
        request.EnableBuffering();
        var requestHash = await SHA256.HashDataAsync(request.Body, context.RequestAborted);
        request.Body.Position = 0;

        switch (await store.ClaimAsync(key, requestHash, context.RequestAborted))
        {
            case IdempotencyDecision.Replay replay:
                context.Response.StatusCode = replay.StatusCode;
                context.Response.ContentType = replay.ContentType;
                context.Response.Headers[ReplayedHeader] = "true";
                await context.Response.Body.WriteAsync(replay.Body, context.RequestAborted);
                return;
            case IdempotencyDecision.Conflict conflict:
                await ApiResults.Problem(Problem.Conflict(conflict.Detail), context).ExecuteAsync(context);
                return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next();
        }
        catch
        {
            await store.ReleaseAsync(key, CancellationToken.None);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = captured.ToArray();
        if (context.Response.StatusCode >= 500)
        {
            await store.ReleaseAsync(key, CancellationToken.None);
        }
        else
        {
            await store.CompleteAsync(key, context.Response.StatusCode, context.Response.ContentType, body, CancellationToken.None);
        }

        await original.WriteAsync(body, context.RequestAborted);
    }
}
