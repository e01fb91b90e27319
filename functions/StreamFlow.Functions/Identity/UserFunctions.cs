using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Identity;

/// <summary>A client business's users: owners and admins invite and manage, managers read.</summary>
public sealed class UserFunctions(RequestBody body, UserAdministrationService users)
{
    [Function("ListUsers")]
    [ClientAccess(Permission.UsersRead)]
    [ApiOperation("The business's users, paged.", Tag = "Users", Response = typeof(UserPage), Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/users")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.Json(await users.ListAsync(request.Client(), page.Value.Limit, page.Value.Cursor, cancellationToken))
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("InviteUser")]
    [ClientAccess(Permission.UsersManage)]
    [ApiOperation("Invites a user: creates them with the role and emails a link to choose a password.", Tag = "Users",
        RequestBody = typeof(InviteUserRequest), Response = typeof(UserView), SuccessStatus = 201, Problems = [403, 409])]
    public async Task<IResult> Invite(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/users")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var invite = await body.ReadJsonAsync<InviteUserRequest>(request, cancellationToken);
        if (!invite.Succeeded)
        {
            return ApiResults.Problem(invite.Problem, request.HttpContext);
        }

        var created = await users.InviteAsync(request.Client(), invite.Value, RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(created, user => ApiResults.Json(user, StatusCodes.Status201Created), request);
    }

    [Function("GetUser")]
    [ClientAccess(Permission.UsersRead)]
    [ApiOperation("One user of the business.", Tag = "Users", Response = typeof(UserView), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/users/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await users.GetAsync(request.Client(), id, cancellationToken), user => ApiResults.Json(user), request);

    [Function("UpdateUser")]
    [ClientAccess(Permission.UsersManage)]
    [ApiOperation("Changes a user's name, role or status; the last owner cannot be demoted or disabled.", Tag = "Users",
        RequestBody = typeof(UpdateUserRequest), Response = typeof(UserView), Problems = [403, 404, 409])]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/users/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var update = await body.ReadJsonAsync<UpdateUserRequest>(request, cancellationToken);
        return update.Succeeded
            ? ApiResults.From(await users.UpdateAsync(request.Client(), id, update.Value, RequestOrigins.Of(request), cancellationToken), user => ApiResults.Json(user), request)
            : ApiResults.Problem(update.Problem, request.HttpContext);
    }

    [Function("RemoveUser")]
    [ClientAccess(Permission.UsersManage)]
    [ApiOperation("Removes a user and their sessions; the last owner cannot be removed.", Tag = "Users",
        SuccessStatus = 204, Problems = [403, 404, 409])]
    public async Task<IResult> Remove(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/users/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await users.RemoveAsync(request.Client(), id, RequestOrigins.Of(request), cancellationToken), _ => TypedResults.NoContent(), request);
}
