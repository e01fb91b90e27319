using StreamFlow.Core.Identity.Systems;
using StreamFlow.Functions.Http;
using StreamFlow.Standalone.Timers;

namespace StreamFlow.Standalone.Http;

/// <summary>
/// Mirrors the Functions host's <c>POST /admin/functions/{name}</c>, which runs a non-HTTP function now. Here it
/// takes a developer token (there is no master key) and answers once the run has finished.
/// </summary>
internal static class AdminEndpoints
{
    public static void MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/admin/functions/{name}", async (string name, HttpContext context, TimerRunner timers, OperatorAuthenticator operators) =>
        {
            var caller = await operators.AuthenticateAsync(context.Request, OperatorSystem.Developer);
            if (!caller.Succeeded)
            {
                return ApiResults.Problem(caller.Problem, context);
            }

            var timer = timers.Find(name);
            if (timer is null)
            {
                return ApiResults.Problem(StatusCodes.Status404NotFound, "Not found", $"There is no timer function named '{name}'.", context);
            }

            var outcome = await timers.RunAsync(timer, last: null, isPastDue: false, context.RequestAborted);
            return outcome.Succeeded
                ? ApiResults.Json(outcome, StatusCodes.Status202Accepted)
                : ApiResults.Problem(StatusCodes.Status500InternalServerError, "The function failed", $"{name} failed with {outcome.Error}; see the host log.", context);
        });
    }
}
