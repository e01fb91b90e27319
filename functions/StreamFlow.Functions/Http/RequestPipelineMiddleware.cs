using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace StreamFlow.Functions.Http;

/// <summary>Runs <see cref="RequestPipeline"/> for HTTP-triggered functions in the Functions host.</summary>
internal sealed class RequestPipelineMiddleware(RequestPipeline pipeline) : IFunctionsWorkerMiddleware
{
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var httpContext = context.GetHttpContext();
        return httpContext is null ? next(context) : pipeline.InvokeAsync(httpContext, () => next(context));
    }
}
