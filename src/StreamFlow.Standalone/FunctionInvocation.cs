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

    public static async Task<object?> InvokeAsync(MethodInfo method, BindingSource source)
    {
        var instance = method.IsStatic
            ? null
            : Factories.GetOrAdd(method.DeclaringType!, type => ActivatorUtilities.CreateFactory(type, Type.EmptyTypes))(source.Services, null);
        var arguments = method.GetParameters().Select(parameter => Bind(parameter, source)).ToArray();
        var returned = method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
        if (returned is not Task task)
        {
            return returned;
        }

        await task;
        return task.GetType().IsGenericType ? task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
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

    private static object? Bind(ParameterInfo parameter, BindingSource source)
    {
        var type = parameter.ParameterType;
        if (IsTrigger(parameter))
        {
            return type == typeof(HttpRequest) ? source.Http!.Request : source.TriggerValue;
        }

        if (type == typeof(CancellationToken))
        {
            return source.CancellationToken;
        }

        if (parameter.GetCustomAttribute<DurableClientAttribute>() is not null || type == typeof(DurableTaskClient))
        {
            return source.Services.GetRequiredService<DurableTaskClient>();
        }

        if (type == typeof(HttpContext))
        {
            return source.Http;
        }

        if (source.Http?.Request.RouteValues.TryGetValue(parameter.Name!, out var routeValue) == true)
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
