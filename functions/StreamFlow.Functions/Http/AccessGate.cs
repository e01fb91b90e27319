using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>Admits the callers of one kind of <see cref="AccessAttribute"/>: authenticates, authorizes and rate-limits.</summary>
public interface ICallerAuthenticator
{
    Type Access { get; }

    /// <summary>The authenticated caller handed to the function, or the 401/403/429 problem that refuses it.</summary>
    Task<Result<object>> AdmitAsync(HttpRequest request, AccessAttribute access, CancellationToken cancellationToken);
}

/// <summary>
/// The access step of <see cref="RequestPipeline"/>: finds the function's declared access, asks the authenticator of
/// that kind, and either answers the problem itself or hands the caller to the function through the request.
/// </summary>
public sealed class AccessGate(IEnumerable<ICallerAuthenticator> authenticators)
{
    private readonly Dictionary<Type, ICallerAuthenticator> _authenticators = authenticators.ToDictionary(a => a.Access);
    private readonly ConcurrentDictionary<MethodInfo, AccessAttribute> _declared = new();

    public static AccessAttribute DeclaredOn(MethodInfo function) =>
        function.GetCustomAttribute<AccessAttribute>()
        ?? throw new InvalidOperationException($"{function.DeclaringType?.Name}.{function.Name} declares no access attribute.");

    /// <summary>Null when the caller may go on; otherwise the problem to answer.</summary>
    public async Task<Problem?> AdmitAsync(HttpRequest request, MethodInfo function, CancellationToken cancellationToken)
    {
        var access = _declared.GetOrAdd(function, DeclaredOn);
        if (access is AnonymousAccessAttribute || IsCorsPreflight(request))
        {
            return null;
        }

        if (!_authenticators.TryGetValue(access.GetType(), out var authenticator))
        {
            throw new InvalidOperationException($"No authenticator is registered for {access.GetType().Name}.");
        }

        var admitted = await authenticator.AdmitAsync(request, access, cancellationToken);
        if (!admitted.Succeeded)
        {
            return admitted.Problem;
        }

        request.HttpContext.Features.Set(new AuthenticatedCaller(admitted.Value));
        return null;
    }

    private static bool IsCorsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method");
}

/// <summary>The caller the access step admitted, read by functions through <see cref="Callers"/>.</summary>
public sealed record AuthenticatedCaller(object Principal);

internal static class CallerResults
{
    public static Result<object> Boxed<T>(this Result<T> result)
        where T : class =>
        result.Succeeded ? Result<object>.Success(result.Value) : result.Problem;
}
