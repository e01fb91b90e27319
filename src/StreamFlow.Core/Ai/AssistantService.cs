using System.Globalization;
using System.Text;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Ai;

/// <summary>
/// Answers a user's question about their leads and pipeline: the context is assembled here, from this tenant's own
/// rows inside its RLS transaction, and the answer streams through the gateway (budgets, redaction, ledger).
/// </summary>
public sealed class AssistantService(StreamFlowDatabase database, AiGateway gateway)
{
    public const int MaxQuestionLength = 2_000;
    private const int MaxAnswerTokens = 600;

    public async Task<Result<AiStream>> AskAsync(Guid tenantId, Guid userId, string? question, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Required("question", question, MaxQuestionLength);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var context = await database.InTenantAsync(tenantId, async scope =>
        {
            var text = new StringBuilder("The business's open pipeline by stage (leads, of which hot):\n");
            foreach (var stage in await AssistantContextStore.OpenStagesAsync(scope))
            {
                text.Append(CultureInfo.InvariantCulture, $"- {stage.Stage}: {stage.Leads} ({stage.Hot} hot)\n");
            }

            text.Append("Top open hot leads (name, source, score, stage):\n");
            foreach (var lead in await AssistantContextStore.TopHotLeadsAsync(scope))
            {
                text.Append(CultureInfo.InvariantCulture, $"- {lead.Name}, {lead.Source ?? "unknown source"}, {lead.Score}, {lead.Stage}\n");
            }

            var outcomes = await AssistantContextStore.RecentOutcomesAsync(scope);
            text.Append(CultureInfo.InvariantCulture, $"Last 90 days: {outcomes.Won} won ({outcomes.WonAmount:0.00} in won amounts), {outcomes.Lost} lost.\n");
            return text.ToString();
        }, cancellationToken);

        return await gateway.StreamAsync(new AiRequest(
            tenantId, userId, AiFeatures.Assistant,
            [
                new AiMessage(AiMessageRole.System,
                    "You are StreamFlow's sales assistant for a service business. Answer briefly and concretely from the data given; say when the data does not tell."),
                new AiMessage(AiMessageRole.System, context),
                new AiMessage(AiMessageRole.User, question!.Trim()),
            ],
            MaxAnswerTokens, Temperature: 0.2f), cancellationToken);
    }
}
