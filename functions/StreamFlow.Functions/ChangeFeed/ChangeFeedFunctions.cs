using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using StreamFlow.Core.ChangeFeed;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.ChangeFeed;

/// <summary>The live change feed of a business for dashboards: Server-Sent Events, resumable with Last-Event-ID.</summary>
public sealed class ChangeFeedFunctions(ChangeFeedHub hub, IOptions<ChangeFeedOptions> options)
{
    [Function("StreamEvents")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Server-Sent Events of the business's committed events the caller may see (the webhook envelope as data, "
        + "the feed position as id); reconnect with Last-Event-ID to receive what was missed, or an 'event: resync' when that is not possible.",
        Tag = "Change feed")]
    public async Task<IResult> Stream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/events/stream")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var subscription = await hub.SubscribeAsync(request.Client(), cancellationToken);
        var lastEventId = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : request.Query["lastEventId"].ToString() is { Length: > 0 } query ? query : null;
        return new ServerSentEvents(hub, subscription, lastEventId, options.Value.Heartbeat);
    }
}
