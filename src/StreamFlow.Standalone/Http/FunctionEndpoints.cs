using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;

namespace StreamFlow.Standalone.Http;

/// <summary>Serves every HTTP-triggered function at its declared route and methods.</summary>
internal static class FunctionEndpoints
{
    public static void MapFunctionEndpoints(this IEndpointRouteBuilder endpoints, FunctionCatalog catalog)
    {
        foreach (var function in catalog.Http)
        {
            endpoints.MapMethods("/" + function.Route, function.Methods, context => InvokeAsync(function, context))
                .WithName(function.Name)
                .WithMetadata(function);
        }

        endpoints.MapFallback(context => ApiResults.Problem(
            StatusCodes.Status404NotFound,
            "Not found",
            $"No route matches {context.Request.Method} {context.Request.Path}. The API is described at /api/openapi.json.",
            context).ExecuteAsync(context));
    }

    private static async Task InvokeAsync(HttpFunction function, HttpContext context)
    {
        var result = await FunctionInvocation.InvokeAsync(
            function.Method, new BindingSource(context.RequestServices, context.RequestAborted, context));
        switch (result)
        {
            case IResult httpResult:
                await httpResult.ExecuteAsync(context);
                break;
            case IActionResult actionResult:
                await actionResult.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
            case null:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                await ApiResults.Json(result).ExecuteAsync(context);
                break;
        }
    }
}
