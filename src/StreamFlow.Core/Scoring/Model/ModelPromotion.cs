using System.Globalization;

namespace StreamFlow.Core.Scoring.Model;

/// <summary>Whether a newly trained model replaces the one serving, and why.</summary>
public sealed record PromotionDecision(bool Promote, string Reason);

/// <summary>
/// The promotion rule: a new model that validates worse than the serving one is not promoted. "Worse" is a validation
/// AUC lower by more than <see cref="DefaultTolerance"/> (0.005): two validations on different lead sets differ by
/// about that much by chance, and a model trained on more outcomes should not be held back by noise.
/// </summary>
public static class ModelPromotion
{
    public const double DefaultTolerance = 0.005;

    public static PromotionDecision Decide(ConversionModelReport candidate, ConversionModelReport? serving, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (serving is null)
        {
            return new PromotionDecision(true, "No model is serving yet.");
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"validation AUC {candidate.Auc:0.000} against {serving.Auc:0.000} of the serving model");
        return candidate.Auc + tolerance < serving.Auc
            ? new PromotionDecision(false, $"The new model validates worse ({text}); the serving model stays.")
            : new PromotionDecision(true, $"The new model validates as well or better ({text}).");
    }
}
