using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Federation.Members;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Federation;

/// <summary>The hub side: the member instances the provider pulls from, and the console over local and remote clients.</summary>
public sealed class FederationMemberFunctions(FederationMemberService members, RequestBody body)
{
    [Function("ListFederationMembers")]
    [ProviderAccess]
    [ApiOperation("The member instances this hub pulls from, each with its health (pending, healthy, stale, failing), lag since the last successful "
        + "pull, last error and number of clients.",
        Tag = "Federation", Response = typeof(IReadOnlyList<FederationMemberView>))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/federation/members")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await members.ListAsync(cancellationToken));

    [Function("RegisterFederationMember")]
    [ProviderAccess]
    [ApiOperation("Registers a member instance: its public base URL (https), the key id registered for this hub on the member, and the key this hub "
        + "signs with (sharedSecret for hmac-sha256, privateKey — the Ed25519 seed, base64url — for ed25519; stored encrypted, never shown again).",
        Tag = "Federation", RequestBody = typeof(RegisterFederationMember), Response = typeof(FederationMemberView), SuccessStatus = 201, Problems = [409])]
    public async Task<IResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/federation/members")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var registration = await body.ReadJsonAsync<RegisterFederationMember>(request, cancellationToken);
        return registration.Succeeded
            ? ApiResults.From(await members.RegisterAsync(registration.Value, cancellationToken), member => ApiResults.Json(member, StatusCodes.Status201Created), request)
            : ApiResults.Problem(registration.Problem, request.HttpContext);
    }

    [Function("PullFederationMemberNow")]
    [ProviderAccess]
    [ApiOperation("Pulls one member now (one signed request, Federation:PullTimeout) and answers its view: a member that is down or refuses is "
        + "recorded as failing with the reason, its last figures kept and marked stale.",
        Tag = "Federation", Response = typeof(FederationMemberView), Problems = [404])]
    public async Task<IResult> Pull(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/federation/members/{id:guid}/pull")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await members.PullAsync(id, cancellationToken), member => ApiResults.Json(member), request);

    [Function("GetFederationConsole")]
    [ProviderAccess]
    [ApiOperation("Every client business the provider runs: this instance's (source local) and each member's last answer (source: the member's name), "
        + "with the figures' age and a stale flag when the member is not healthy; and each member's health.",
        Tag = "Federation", Response = typeof(FederationConsole))]
    public async Task<IResult> Console(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/federation/clients")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await members.ConsoleAsync(cancellationToken));
}
