using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.UnitTests.Scoring;

/// <summary>Leads whose conversion depends on a number, a category, a yes/no and the source, with noise and gaps.</summary>
internal static class SyntheticLeads
{
    public static ConversionExample[] Create(int count, int seed = 7)
    {
        var random = new Random(seed);
        string[] plans = ["Basic", "Plus", "Premium"];
        string[] sources = ["Referral", "Web", "Ads", "Event"];
        var examples = new ConversionExample[count];
        for (var i = 0; i < count; i++)
        {
            var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
            var visits = random.Next(0, 30);
            if (random.NextDouble() > 0.1)
            {
                attributes["Visits"] = AttributeValue.FromNumber(visits);
            }

            var plan = plans[random.Next(plans.Length)];
            attributes["Plan"] = AttributeValue.FromText(plan);
            var optedIn = random.NextDouble() < 0.4;
            attributes["Opted In"] = AttributeValue.FromBoolean(optedIn);
            attributes["Customer Code"] = AttributeValue.FromText($"C-{i:D5}");
            attributes["Region Flag"] = AttributeValue.FromText("same");
            var source = sources[random.Next(sources.Length)];

            var logit = -2.0 + (0.12 * visits) + (plan == "Premium" ? 1.5 : plan == "Basic" ? -1.0 : 0) + (optedIn ? 0.8 : 0) + (source == "Referral" ? 1.2 : 0);
            var converted = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            examples[i] = new ConversionExample(new LeadProfile(Source: source, Attributes: attributes), converted);
        }

        return examples;
    }

    public static ConversionTrainingOptions FastOptions { get; } = new() { Trees = 100, LearningRate = 0.1, ValidationFolds = 3, Version = "7" };
}

/// <summary>One model trained once on synthetic leads and shared by the tests that only read it.</summary>
public sealed class SyntheticModelFixture
{
    public SyntheticModelFixture()
    {
        Examples = SyntheticLeads.Create(800);
        var result = new ConversionModelTrainer(TimeProvider.System).Train(Examples, SyntheticLeads.FastOptions, CancellationToken.None);
        Model = result.Value ?? throw new InvalidOperationException(result.Problem!.Detail);
    }

    internal ConversionExample[] Examples { get; }

    public ConversionModel Model { get; }
}
