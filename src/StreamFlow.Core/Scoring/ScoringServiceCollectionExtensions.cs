using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Core.Scoring;

public static class ScoringServiceCollectionExtensions
{
    /// <summary>
    /// Registers the conversion model trainer. The rules (<see cref="Rules.RulesScorer"/>, <see cref="Rules.ScoringRuleValidator"/>,
    /// <see cref="Rules.DefaultRuleSets"/>), <see cref="ScoreCombiner"/> and <see cref="ModelPromotion"/> are pure functions.
    /// </summary>
    public static IServiceCollection AddScoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ConversionModelTrainer>();
        services.AddSingleton<Governance.ModelGovernanceService>();
        services.AddSingleton<ColdStart.IndustryPools>();
        services.AddSingleton<ColdStart.IndustryPoolBuilder>();
        return services;
    }
}
