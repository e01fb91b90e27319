using Microsoft.Extensions.Configuration;

namespace StreamFlow.Core.Identity.Systems;

/// <summary>The provider and developer accounts, read once from configuration.</summary>
public sealed class OperatorAccounts(IConfiguration configuration)
{
    private readonly OperatorAccount _provider = OperatorAccount.FromConfiguration(configuration, OperatorSystem.Provider);
    private readonly OperatorAccount _developer = OperatorAccount.FromConfiguration(configuration, OperatorSystem.Developer);

    public OperatorAccount Get(OperatorSystem system) => system == OperatorSystem.Provider ? _provider : _developer;
}
