using Microsoft.DurableTask;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.Standalone.Durable;

/// <summary>Runs an <c>[OrchestrationTrigger]</c> shim of the Functions app as a Durable Task SDK orchestrator.</summary>
internal sealed class FunctionOrchestrator(DurableFunction function) : ITaskOrchestrator
{
    public Type InputType => typeof(object);

    public Type OutputType => FunctionInvocation.ResultTypeOf(function.Method);

    public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
    {
        var shimContext = new FunctionOrchestrationContext(context, input);
        return FunctionInvocation.InvokeAsync(
            function.Method, new BindingSource(EmptyServiceProvider.Instance, CancellationToken.None, TriggerValue: shimContext));
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>Runs an <c>[ActivityTrigger]</c> shim of the Functions app, resolving its class from a fresh DI scope.</summary>
internal sealed class FunctionActivity(DurableFunction function, IServiceProvider services) : ITaskActivity
{
    public Type InputType => function.TriggerParameter.ParameterType;

    public Type OutputType => FunctionInvocation.ResultTypeOf(function.Method);

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        await using var scope = services.CreateAsyncScope();
        return await FunctionInvocation.InvokeAsync(
            function.Method, new BindingSource(scope.ServiceProvider, CancellationToken.None, TriggerValue: input));
    }
}
