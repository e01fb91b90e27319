using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// The AI judgement of an RFP through the gateway (feature "rfp"): the extracted facts, the tenant's own pricing history
/// and the start of the document go in; a summary, a bid/no-bid recommendation with reasons and a price range come
/// back as JSON. Not configured, budget used up (402), unavailable or an unreadable answer: the local method answers,
/// and the assessment says why.
/// </summary>
public sealed class RfpAiAssessor(AiGateway gateway, TimeProvider timeProvider)
{
    public const string Method = "ai";
    internal const int MaxDocumentCharacters = 24_000;
    private const int MaxAnswerTokens = 900;

    private const string Instructions = """
        You analyse requests for proposals (solicitations) for a small service business deciding whether to bid.
        You get facts already extracted from the document, the business's own history of similar won and lost work with
        its price ranges, and the start of the document. Reply with JSON only, in this shape:
        {"summary": "3-5 sentences: what is bought, by whom, where, when offers are due, how it is evaluated",
         "recommendation": "bid" | "no-bid" | "review",
         "confidence": 0-1,
         "reasons": ["short reasons for the recommendation, most important first"],
         "pricing": {"low": number in USD, "high": number in USD, "rationale": "one or two sentences, based on the history given"}}
        Base the pricing on the business's history and any stated value; use null for low and high when there is nothing to base them on.
        """;

    public async Task<RfpAssessment> AssessAsync(Guid tenantId, RfpDocumentText document, RfpFacts facts, RfpPricingHistory history, CancellationToken cancellationToken)
    {
        if (!gateway.IsConfigured)
        {
            return Local("AI is not configured for this installation; the local method wrote this assessment.");
        }

        var completion = await gateway.CompleteAsync(new AiRequest(
            tenantId, null, AiFeatures.Rfp,
            [
                new AiMessage(AiMessageRole.System, Instructions),
                new AiMessage(AiMessageRole.User, Prompt(document, facts, history)),
            ],
            MaxAnswerTokens), cancellationToken);

        if (!completion.Succeeded)
        {
            return Local(completion.Problem switch
            {
                var problem when problem.IsBudgetRefusal() => $"The AI budget is used up, so the local method wrote this assessment. {problem.Detail}",
                var problem when problem.IsUpstreamUnavailable() => "The AI service was unavailable; the local method wrote this assessment.",
                var problem => $"The AI request was refused ({problem.Detail}); the local method wrote this assessment.",
            });
        }

        var local = RfpLocalAssessment.Assess(facts, history, timeProvider.GetUtcNow(), null);
        return Parse(completion.Value.Text, local, history) is { } assessment
            ? assessment with { Model = completion.Value.Model }
            : Local("The AI answer could not be read; the local method wrote this assessment.");

        RfpAssessment Local(string reason) => RfpLocalAssessment.Assess(facts, history, timeProvider.GetUtcNow(), reason);
    }

    internal static string Prompt(RfpDocumentText document, RfpFacts facts, RfpPricingHistory history)
    {
        var prompt = new StringBuilder();
        prompt.Append("Extracted facts:\n").Append(JsonSerializer.Serialize(FactValues(facts), StreamFlowJson.Options)).Append("\n\n");
        prompt.Append("The business's history of similar work:\n").Append(JsonSerializer.Serialize(history, StreamFlowJson.Options)).Append("\n\n");
        prompt.Append("Document text (start):\n");
        foreach (var segment in document.Segments)
        {
            var room = MaxDocumentCharacters - prompt.Length;
            if (room <= 0)
            {
                break;
            }

            var text = segment.Text.Length > room ? segment.Text[..room] : segment.Text;
            prompt.Append(CultureInfo.InvariantCulture, $"[{document.Unit} {segment.Number}]\n{text}\n");
        }

        return prompt.ToString();
    }

    /// <summary>Reads the model's JSON; anything without a summary and a known recommendation is unreadable.</summary>
    internal static RfpAssessment? Parse(string answer, RfpAssessment local, RfpPricingHistory history)
    {
        var start = answer.IndexOf('{', StringComparison.Ordinal);
        var end = answer.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(answer[start..(end + 1)]);
            var root = json.RootElement;
            var summary = Text(root, "summary");
            RfpDecision? decision = Text(root, "recommendation")?.ToLowerInvariant().Replace(" ", "-", StringComparison.Ordinal) switch
            {
                "bid" => RfpDecision.Bid,
                "no-bid" or "nobid" or "no_bid" => RfpDecision.NoBid,
                "review" => RfpDecision.Review,
                _ => null,
            };
            if (summary is null || decision is not { } recommended)
            {
                return null;
            }

            double? confidence = root.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? Math.Clamp(c.GetDouble(), 0, 1) : null;
            var reasons = root.TryGetProperty("reasons", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Where(s => s.Length > 0).Take(10).ToList()
                : [];
            var pricing = local.Pricing;
            if (root.TryGetProperty("pricing", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                var low = Amount(p, "low");
                var high = Amount(p, "high");
                if (low is not null && high is not null && low > high)
                {
                    (low, high) = (high, low);
                }

                pricing = new RfpPricingGuidance(
                    low is { } l ? Money.Of(l, "USD") : null,
                    high is { } h ? Money.Of(h, "USD") : null,
                    Text(p, "rationale") ?? local.Pricing.Rationale,
                    history);
            }

            return new RfpAssessment(Method, null, null, summary, new RfpRecommendation(recommended, confidence, reasons), pricing);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!.Trim()
            : null;

    private static decimal? Amount(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var amount) && amount >= 0
            ? amount
            : null;

    /// <summary>The facts without their provenance: the model needs the values, not the offsets.</summary>
    private static object FactValues(RfpFacts facts) => new
    {
        title = facts.Title?.Value,
        agency = facts.Agency?.Value,
        solicitationNumber = facts.SolicitationNumber?.Value,
        naicsCodes = facts.NaicsCodes.Select(c => c.Value),
        setAside = facts.SetAside?.Value.Text,
        responseDue = facts.ResponseDue?.Value,
        questionsDue = facts.QuestionsDue?.Value,
        placeOfPerformance = facts.PlaceOfPerformance?.Value,
        evaluationBasis = facts.EvaluationBasis?.Value,
        evaluationCriteria = facts.EvaluationCriteria.Select(f => f.Value),
        statedValue = facts.StatedValue?.Value,
        requirementsFound = facts.RequirementsFound,
        requirements = facts.Requirements.Take(40).Select(f => f.Value),
    };
}
