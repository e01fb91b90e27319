using System.Diagnostics;
using System.Diagnostics.Metrics;
using StreamFlow.Core.Diagnostics;

namespace StreamFlow.Core.Ai;

/// <summary>Gateway metrics on the StreamFlow meter. No tenant tag: per-tenant figures come from the ledger.</summary>
internal static class AiTelemetry
{
    private static readonly Counter<long> Calls =
        StreamFlowTelemetry.Meter.CreateCounter<long>("streamflow.ai.calls", description: "AI gateway calls, by feature, deployment and outcome.");

    private static readonly Counter<double> Cost =
        StreamFlowTelemetry.Meter.CreateCounter<double>("streamflow.ai.cost", unit: "USD", description: "Upstream cost of AI calls.");

    public static void Record(string feature, string deployment, AiCallOutcome outcome, decimal costUsd)
    {
        var tags = new TagList
        {
            { "feature", feature },
            { "deployment", deployment },
            { "outcome", AiUsageStore.OutcomeName(outcome) },
        };
        Calls.Add(1, tags);
        if (costUsd > 0m)
        {
            Cost.Add((double)costUsd, tags);
        }
    }
}
