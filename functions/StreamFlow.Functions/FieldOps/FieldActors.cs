using Microsoft.AspNetCore.Http;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;

namespace StreamFlow.Functions.FieldOps;

/// <summary>The signed-in client user as the field services see them: dispatchers (FieldOpsManage) or technicians.</summary>
internal static class FieldActors
{
    public static FieldActor Of(HttpRequest request)
    {
        var caller = request.Client();
        return new FieldActor(caller.TenantId, caller.UserId, caller.Actor, caller.Role.Allows(Permission.FieldOpsManage), RequestOrigins.Of(request));
    }

    /// <summary>Reads the paging query, then hands it to <paramref name="list"/>; a bad limit is a 400 naming it.</summary>
    public static async Task<IResult> PageAsync<T>(HttpRequest request, ValidationErrors errors, Func<PageRequest, Task<Result<T>>> list)
    {
        var page = Paging.Read(request);
        if (!page.Succeeded || errors.ToProblem() is not null)
        {
            return ApiResults.Problem(page.Problem ?? errors.ToProblem()!, request.HttpContext);
        }

        return ApiResults.From(await list(page.Value), result => ApiResults.Json(result), request);
    }

    public static async Task<IResult> WithBodyAsync<TBody, TResult>(
        RequestBody body, HttpRequest request, Func<TBody, Task<Result<TResult>>> call, int status, CancellationToken cancellationToken)
        where TBody : class
    {
        var read = await body.ReadJsonAsync<TBody>(request, cancellationToken);
        return read.Succeeded
            ? ApiResults.From(await call(read.Value), result => ApiResults.Json(result, status), request)
            : ApiResults.Problem(read.Problem, request.HttpContext);
    }
}
