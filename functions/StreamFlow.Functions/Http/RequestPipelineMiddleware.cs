using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.Functions.Http;

/// <summary>Runs <see cref="RequestPipeline"/> for HTTP-triggered functions in the Functions host.</summary>
internal sealed class RequestPipelineMiddleware(RequestPipeline pipeline, FunctionCatalog catalog) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var httpContext = context.GetHttpContext();
        return httpContext is null
            ? next(context)
            : pipeline.InvokeAsync(httpContext, catalog.HttpByEntryPoint(context.FunctionDefinition.EntryPoint)?.Method, () => next(context));
    }
}
