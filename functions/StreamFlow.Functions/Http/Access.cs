using StreamFlow.Core.Identity.Clients;

namespace StreamFlow.Functions.Http;

/// <summary>
/// Who may call an HTTP function, declared once on its <c>[Function]</c> method. The request pipeline (the same code
/// under the Functions host and the standalone host) authenticates, authorizes and rate-limits from it before the
/// function runs, and the OpenAPI document's security section is derived from it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public abstract class AccessAttribute : Attribute;

/// <summary>A signed-in user of a client business whose role grants <see cref="Permission"/>.</summary>
public sealed class ClientAccessAttribute(Permission permission) : AccessAttribute
{
    public Permission Permission => permission;
}

/// <summary>The provider who runs StreamFlow for its client businesses (provider JWT).</summary>
public sealed class ProviderAccessAttribute : AccessAttribute;

/// <summary>The platform's developers (developer JWT).</summary>
public sealed class DeveloperAccessAttribute : AccessAttribute;

/// <summary>Anyone: the reason says why no credential is asked for (a login, a signed vendor webhook, health).</summary>
public sealed class AnonymousAccessAttribute(string reason) : AccessAttribute
{
    public string Reason => reason;
}
