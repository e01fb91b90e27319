using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Identity.Systems;

namespace StreamFlow.Functions.Http;

/// <summary>The authenticated caller of the current request, as its function's access attribute declared it.</summary>
public static class Callers
{
    public static ClientPrincipal Client(this HttpRequest request) => Caller<ClientPrincipal>(request);

    public static OperatorPrincipal Operator(this HttpRequest request) => Caller<OperatorPrincipal>(request);

    private static T Caller<T>(HttpRequest request)
        where T : class =>
        request.HttpContext.Features.Get<AuthenticatedCaller>()?.Principal as T
        ?? throw new InvalidOperationException($"{request.Path} has no {typeof(T).Name}: its function does not declare that access.");
}
