using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Ai;

public sealed record AiBudgetBody(decimal? DailyLimitUsd, decimal? MonthlyLimitUsd, decimal? MarkupPercent, bool? AllowPersonalData);

public sealed record AssistBody(string? Question);

/// <summary>AI budgets (provider), usage (tenant and provider) and the streaming assistant.</summary>
public sealed class AiFunctions(RequestBody body, AiBudgetService budgets, AiUsageService usage, AssistantService assistant)
{
    [Function("SetTenantAiBudget")]
    [ProviderAccess]
    [ApiOperation("Sets a client business's AI limits (USD per UTC day and month), markup percentage and whether personal data may reach the model.",
        Tag = "Provider", RequestBody = typeof(AiBudgetBody), Response = typeof(AiTenantBudgetStatus), Problems = [404])]
    public async Task<IResult> SetBudget(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/provider/tenants/{id:guid}/ai-budget")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var budget = await body.ReadJsonAsync<AiBudgetBody>(request, cancellationToken);
        var result = budget.Succeeded
            ? await budgets.ConfigureTenantAsync(id, new AiTenantBudget(budget.Value.DailyLimitUsd, budget.Value.MonthlyLimitUsd), budget.Value.MarkupPercent / 100m, budget.Value.AllowPersonalData, cancellationToken)
            : budget.Problem;
        return ApiResults.From(result, status => ApiResults.Json(status), request);
    }

    [Function("GetTenantAiBudget")]
    [ProviderAccess]
    [ApiOperation("A client business's AI limits and what it spent and has reserved today and this month.", Tag = "Provider",
        Response = typeof(AiTenantBudgetStatus), Problems = [404])]
    public async Task<IResult> GetBudget(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/ai-budget")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await budgets.GetTenantBudgetAsync(id, cancellationToken), status => ApiResults.Json(status), request);

    [Function("GetProviderAiUsage")]
    [ProviderAccess]
    [ApiOperation("AI usage across client businesses by day, feature and model: cost and billed amounts (from, to as dates; default this month).",
        Tag = "Provider", Response = typeof(AiProviderUsageReport))]
    public async Task<IResult> ProviderUsage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/ai/usage")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var range = ReadRange(request);
        return range.Succeeded
            ? ApiResults.From(await usage.GetProviderUsageAsync(range.Value.From, range.Value.To, cancellationToken), report => ApiResults.Json(report), request)
            : ApiResults.Problem(range.Problem, request.HttpContext);
    }

    [Function("GetAiUsage")]
    [ClientAccess(Permission.AiUsageRead)]
    [ApiOperation("The business's own AI usage by day, feature and model, in billed amounts (from, to as dates; default this month).",
        Tag = "AI", Response = typeof(AiTenantUsageReport), Problems = [403])]
    public async Task<IResult> TenantUsage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/ai/usage")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var range = ReadRange(request);
        return range.Succeeded
            ? ApiResults.From(await usage.GetTenantUsageAsync(request.Client().TenantId, range.Value.From, range.Value.To, cancellationToken), report => ApiResults.Json(report), request)
            : ApiResults.Problem(range.Problem, request.HttpContext);
    }

    [Function("AskAssistant")]
    [ClientAccess(Permission.AiUse)]
    [ApiOperation("Answers a question about the business's leads and pipeline as Server-Sent Events: 'delta' events with text, then one 'done' event with the usage. 402 when the AI budget is spent, 503 when AI is not configured or unavailable.",
        Tag = "AI", RequestBody = typeof(AssistBody), Problems = [402, 503])]
    public async Task<IResult> Assist(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/ai/assist")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var ask = await body.ReadJsonAsync<AssistBody>(request, cancellationToken);
        if (!ask.Succeeded)
        {
            return ApiResults.Problem(ask.Problem, request.HttpContext);
        }

        var stream = await assistant.AskAsync(caller.TenantId, caller.UserId, ask.Value.Question, cancellationToken);
        return stream.Succeeded ? new ServerSentEvents(stream.Value) : ApiResults.Problem(stream.Problem, request.HttpContext);
    }

    private static Result<(DateOnly From, DateOnly To)> ReadRange(HttpRequest request)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var from = new DateOnly(today.Year, today.Month, 1);
        var to = today;
        var errors = new ValidationErrors();
        if (request.Query["from"].ToString() is { Length: > 0 } fromText && !DateOnly.TryParse(fromText, CultureInfo.InvariantCulture, out from))
        {
            errors.Add("from", "must be a date (YYYY-MM-DD).");
        }

        if (request.Query["to"].ToString() is { Length: > 0 } toText && !DateOnly.TryParse(toText, CultureInfo.InvariantCulture, out to))
        {
            errors.Add("to", "must be a date (YYYY-MM-DD).");
        }

        return errors.ToProblem() is { } problem ? problem : (from, to);
    }

    /// <summary>Writes the stream as it arrives; a client that goes away ends it, and the gateway bills what was generated.</summary>
    private sealed class ServerSentEvents(AiStream stream) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            await using (stream)
            {
                try
                {
                    await foreach (var delta in stream.WithCancellation(httpContext.RequestAborted))
                    {
                        await response.WriteAsync($"event: delta\ndata: {JsonSerializer.Serialize(new { text = delta }, StreamFlowJson.Options)}\n\n", httpContext.RequestAborted);
                        await response.Body.FlushAsync(httpContext.RequestAborted);
                    }

                    var summary = await stream.Completion;
                    await response.WriteAsync($"event: done\ndata: {JsonSerializer.Serialize(new { summary.Outcome, summary.Usage, billedUsd = summary.BillableUsd, model = stream.Model }, StreamFlowJson.Options)}\n\n", httpContext.RequestAborted);
                }
                catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
                {
                    // The client left; disposing the stream settles the reservation for what was generated.
                }
            }
        }
    }
}
