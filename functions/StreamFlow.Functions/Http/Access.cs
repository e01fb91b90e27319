using StreamFlow.Core.Identity.Clients;

namespace StreamFlow.Functions.Http;

/// <summary>
/// Who may call an HTTP function, declared once on its <c>[Function]</c> method. The request pipeline (the same code
/// under the Functions host and the standalone host) authenticates, authorizes and rate-limits from it before the
/// function runs, and the OpenAPI document's security section is derived from it. A new kind of caller is a new
/// subclass plus an <see cref="ICallerAuthenticator"/> for it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public abstract class AccessAttribute : Attribute
{
    /// <summary>The OpenAPI security scheme a caller presents; null when the operation asks for no credential.</summary>
    public abstract string? SecurityScheme { get; }
}

/// <summary>A signed-in user of a client business whose role grants <see cref="Permission"/>.</summary>
public sealed class ClientAccessAttribute(Permission permission) : AccessAttribute
{
    public Permission Permission => permission;

    public override string SecurityScheme => "clientSession";
}

/// <summary>The provider who runs StreamFlow for its client businesses (provider JWT).</summary>
public sealed class ProviderAccessAttribute : AccessAttribute
{
    public override string SecurityScheme => "providerJwt";
}

/// <summary>The platform's developers (developer JWT).</summary>
public sealed class DeveloperAccessAttribute : AccessAttribute
{
    public override string SecurityScheme => "developerJwt";
}

/// <summary>Anyone: the reason says why no credential is asked for (a login, a signed vendor webhook, health).</summary>
public sealed class AnonymousAccessAttribute(string reason) : AccessAttribute
{
    public string Reason => reason;

    public override string? SecurityScheme => null;
}
