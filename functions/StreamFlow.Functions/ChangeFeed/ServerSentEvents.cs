using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using StreamFlow.Core.ChangeFeed;

namespace StreamFlow.Functions.ChangeFeed;

/// <summary>
/// The change feed as <c>text/event-stream</c>: missed events first (from <c>Last-Event-ID</c>), then live ones, a
/// heartbeat comment while idle, and an <c>event: resync</c> whenever the client cannot be brought up to date event
/// by event (unknown or too old <c>Last-Event-ID</c>, or it fell too far behind) — it must then reload what it shows.
/// </summary>
public sealed class ServerSentEvents(ChangeFeedHub hub, ChangeFeedSubscription subscription, string? lastEventId, TimeSpan heartbeat) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var owned = subscription;
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        try
        {
            await WriteAsync(response, $"retry: 3000\n: streaming events after {subscription.Start}\n\n", aborted);
            await ReplayAsync(response, aborted);
            await StreamLiveAsync(response, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
    }

    private async Task ReplayAsync(HttpResponse response, CancellationToken aborted)
    {
        if (lastEventId is null)
        {
            return;
        }

        var missed = ChangeFeedPosition.TryParse(lastEventId, out var after)
            ? await hub.BacklogAsync(subscription.Principal, after, subscription.Start, aborted)
            : null;
        if (missed is null)
        {
            await WriteResyncAsync(response, "The Last-Event-ID is unknown or too old to replay from; reload, then keep listening.", aborted);
            return;
        }

        foreach (var committed in missed)
        {
            await WriteEventAsync(response, committed, aborted);
        }
    }

    private async Task StreamLiveAsync(HttpResponse response, CancellationToken aborted)
    {
        var events = subscription.Events;
        while (!aborted.IsCancellationRequested)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            idle.CancelAfter(heartbeat);
            bool more;
            try
            {
                more = await events.WaitToReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                await WriteAsync(response, ": keep-alive\n\n", aborted);
                continue;
            }

            if (!more)
            {
                if (subscription.Overflowed)
                {
                    await WriteResyncAsync(response, "This stream fell too far behind; reload, then reconnect.", aborted);
                }

                return;
            }

            while (events.TryRead(out var committed))
            {
                await WriteEventAsync(response, committed, aborted);
            }
        }
    }

    private static Task WriteEventAsync(HttpResponse response, ChangeFeedEvent committed, CancellationToken aborted)
    {
        var envelope = new JsonObject
        {
            ["id"] = committed.MessageId,
            ["type"] = committed.Type,
            ["occurredAt"] = committed.OccurredAt,
            ["data"] = JsonNode.Parse(committed.PayloadJson),
        };
        return WriteAsync(response, $"id: {committed.Position}\nevent: {committed.Type}\ndata: {envelope.ToJsonString()}\n\n", aborted);
    }

    private static Task WriteResyncAsync(HttpResponse response, string reason, CancellationToken aborted) =>
        WriteAsync(response, $"event: resync\ndata: {new JsonObject { ["reason"] = reason }.ToJsonString()}\n\n", aborted);

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken aborted)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), aborted);
        await response.Body.FlushAsync(aborted);
    }
}
