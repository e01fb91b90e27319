using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace StreamFlow.Standalone;

/// <summary>What one invocation can bind a function parameter to, whatever triggered it.</summary>
internal sealed record BindingSource(
    IServiceProvider Services,
    CancellationToken CancellationToken,
    HttpContext? Http = null,
    object? TriggerValue = null);

/// <summary>
/// Calls a <c>[Function]</c> method the way the Functions worker would: a fresh instance from DI per invocation,
/// parameters bound by type, attribute or route name, and the awaited result returned.
/// </summary>
internal static class FunctionInvocation
{
    private static readonly ConcurrentDictionary<Type, ObjectFactory> Factories = new();
    private static readonly ConcurrentDictionary<MethodInfo, Invoker> Invokers = new();

    public static async Task<object?> InvokeAsync(MethodInfo method, BindingSource source)
    {
        var invoker = Invokers.GetOrAdd(method, Invoker.For);
        var instance = method.IsStatic
            ? null
            : Factories.GetOrAdd(method.DeclaringType!, type => ActivatorUtilities.CreateFactory(type, Type.EmptyTypes))(source.Services, null);
        var arguments = new object?[invoker.Parameters.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Bind(invoker.Parameters[i], source);
        }

        var returned = method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
        if (returned is not Task task)
        {
            return returned;
        }

        await task;
        return invoker.Result?.GetValue(task);
    }

    /// <summary>The .NET type a function produces once awaited (<c>Task&lt;T&gt;</c> gives <c>T</c>).</summary>
    public static Type ResultTypeOf(MethodInfo method)
    {
        var type = method.ReturnType;
        if (type == typeof(Task) || type == typeof(void))
        {
            return typeof(object);
        }

        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>) ? type.GetGenericArguments()[0] : type;
    }

    private static object? Bind(ParameterBinding parameter, BindingSource source)
    {
        var type = parameter.Type;
        switch (parameter.Kind)
        {
            case BindingKind.Trigger:
                return type == typeof(HttpRequest) ? source.Http!.Request : source.TriggerValue;
            case BindingKind.CancellationToken:
                return source.CancellationToken;
            case BindingKind.DurableClient:
                return source.Services.GetRequiredService<DurableTaskClient>();
            case BindingKind.HttpContext:
                return source.Http;
        }

        if (source.Http?.Request.RouteValues.TryGetValue(parameter.Name, out var routeValue) == true)
        {
            return ConvertRouteValue(routeValue?.ToString(), type);
        }

        if (type.IsValueType && Nullable.GetUnderlyingType(type) is null)
        {
            return Activator.CreateInstance(type);
        }

        return source.Services.GetService(type);
    }

    private static bool IsTrigger(ParameterInfo parameter) =>
        parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null
        || parameter.GetCustomAttribute<TimerTriggerAttribute>() is not null
        || parameter.GetCustomAttribute<ActivityTriggerAttribute>() is not null
        || parameter.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null;

    private enum BindingKind
    {
        Trigger,
        CancellationToken,
        DurableClient,
        HttpContext,
        ByNameOrType,
    }

    private sealed record ParameterBinding(string Name, Type Type, BindingKind Kind);

    /// <summary>What reflection says about a function, read once: it cost more than the binding itself on every call.</summary>
    private sealed record Invoker(ParameterBinding[] Parameters, PropertyInfo? Result)
    {
        public static Invoker For(MethodInfo method) => new(
            [.. method.GetParameters().Select(parameter => new ParameterBinding(parameter.Name!, parameter.ParameterType, KindOf(parameter)))],
            method.ReturnType.IsGenericType && typeof(Task).IsAssignableFrom(method.ReturnType)
                ? method.ReturnType.GetProperty(nameof(Task<object>.Result))
                : null);

        private static BindingKind KindOf(ParameterInfo parameter) =>
            IsTrigger(parameter) ? BindingKind.Trigger
            : parameter.ParameterType == typeof(CancellationToken) ? BindingKind.CancellationToken
            : parameter.GetCustomAttribute<DurableClientAttribute>() is not null || parameter.ParameterType == typeof(DurableTaskClient) ? BindingKind.DurableClient
            : parameter.ParameterType == typeof(HttpContext) ? BindingKind.HttpContext
            : BindingKind.ByNameOrType;
    }

    private static object? ConvertRouteValue(string? value, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value is null || target == typeof(string))
        {
            return value;
        }

        if (target == typeof(Guid))
        {
            return Guid.Parse(value);
        }

        return Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
    }
}
