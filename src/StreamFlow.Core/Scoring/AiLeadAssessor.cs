using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Database;
using StreamFlow.Core.Leads;

namespace StreamFlow.Core.Scoring;

/// <summary>
/// The AI signal of a score: the tenant's lead, described by the same features the model sees (never names, emails,
/// phones or notes), assessed through the AI gateway. Disabled, over budget, unavailable or unreadable: no signal,
/// and the rules and the learned model score alone.
/// </summary>
public sealed class AiLeadAssessor(AiGateway gateway, LeadService leads, StreamFlowDatabase database)
{
    private const int MaxAnswerTokens = 120;

    public async Task<AiSignal?> AssessAsync(Guid tenantId, Guid leadId, CancellationToken cancellationToken)
    {
        var settings = await database.InTenantAsync(tenantId, ScoringSettingsStore.LoadAsync, cancellationToken);
        if (!settings.AiEnabled)
        {
            return null;
        }

        var lead = await leads.GetAsync(tenantId, leadId, includeDeleted: false, cancellationToken);
        if (!lead.Succeeded)
        {
            return null;
        }

        var facts = new StringBuilder();
        foreach (var (name, value) in LeadProfiles.From(lead.Value).ModelFeatures())
        {
            facts.Append(CultureInfo.InvariantCulture, $"- {name}: {value.Display}\n");
        }

        var completion = await gateway.CompleteAsync(new AiRequest(
            tenantId, null, AiFeatures.Scoring,
            [
                new AiMessage(AiMessageRole.System,
                    "You assess sales leads for a service business. Reply with JSON only: {\"score\": 0-100 likelihood to buy, \"confidence\": 0-1, \"reason\": \"one short sentence\"}."),
                new AiMessage(AiMessageRole.User, facts.Length == 0 ? "The lead has no details." : facts.ToString()),
            ],
            MaxAnswerTokens), cancellationToken);
        return completion.Succeeded ? Parse(completion.Value.Text) : null;
    }

    /// <summary>Reads the first JSON object in the answer; anything else is no signal rather than a guess.</summary>
    public static AiSignal? Parse(string text)
    {
        var start = text.IndexOf('{', StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(text[start..(end + 1)]);
            var root = json.RootElement;
            if (!root.TryGetProperty("score", out var score) || score.ValueKind != JsonValueKind.Number)
            {
                return null;
            }

            var confidence = root.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : 0.5;
            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            return new AiSignal(Math.Clamp(score.GetDouble(), 0, 100), Math.Clamp(confidence, 0, 1), reason);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
