namespace StreamFlow.Core.Identity.Systems;

/// <summary>
/// The two operator systems. Client users are a separate system with its own types: no value here is a client role,
/// and no client role is one of these.
/// </summary>
public enum OperatorSystem
{
    Provider,
    Developer,
}

/// <summary>An authenticated provider or developer operator.</summary>
public sealed record OperatorPrincipal(OperatorSystem System, string Email);
