using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Diagnostics;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.ProviderAudit;

namespace StreamFlow.Functions.Http;

/// <summary>
/// What every HTTP request goes through in either host: a correlation id, the function's declared access (401, 403
/// and 429 are answered here), one structured log line, metrics, a database or storage outage turned into 503 with
/// Retry-After, and other unhandled exceptions into a 500 problem that carries the trace id and never a stack trace.
/// </summary>
public sealed partial class RequestPipeline(ILogger<RequestPipeline> logger, AccessGate access, IdempotentRequests? idempotency = null, ProviderAccessLog? providerAccess = null)
{
    public const string CorrelationHeader = "X-Correlation-Id";

    /// <param name="function">The <c>[Function]</c> method the request is routed to; null when no function matched.</param>
    public async Task InvokeAsync(HttpContext context, MethodInfo? function, Func<Task> next)
    {
        var correlationId = CorrelationIdOf(context);
        context.TraceIdentifier = correlationId;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[CorrelationHeader] = correlationId;
            SecurityHeaders.Apply(context);
            return Task.CompletedTask;
        });

        var started = Stopwatch.GetTimestamp();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId });
        try
        {
            if (InputRules.Check(context.Request) is { } invalid)
            {
                await ApiResults.Problem(invalid, context).ExecuteAsync(context);
            }
            else if (function is not null && await access.AdmitAsync(context.Request, function, context.RequestAborted) is { } refused)
            {
                await ApiResults.Problem(refused, context).ExecuteAsync(context);
            }
            else if (idempotency is not null && IdempotentRequests.Applies(context.Request))
            {
                await idempotency.RunAsync(context, next);
            }
            else
            {
                await next();
            }

            if (SecurityHeaders.NeedsProblemBody(context.Response))
            {
                var status = context.Response.StatusCode;
                await ApiResults.Problem(status, ReasonPhrases.GetReasonPhrase(status), "The request was refused.", context).ExecuteAsync(context);
            }
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            await ApiResults.Problem(exception.StatusCode, "The request could not be read", exception.Message, context).ExecuteAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
        }
        catch (StreamFlow.Core.Privacy.PersonalDataUnavailableException exception) when (!context.Response.HasStarted)
        {
            // Sealed personal data whose key is unavailable or that does not authenticate: a clear answer, never garbage.
            logger.LogError(exception, "Personal data unavailable for {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ApiResults.Problem(new Problem(ProblemKind.Unavailable, exception.Message), context).ExecuteAsync(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && DependencyOutage.ProblemFor(exception) is { } outage)
        {
            logger.LogWarning(exception, "Dependency outage for {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ApiResults.Problem(outage, context).ExecuteAsync(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ApiResults.Problem(
                StatusCodes.Status500InternalServerError,
                "Unexpected error",
                $"Something went wrong on our side. Quote trace id {correlationId} when you report it.",
                context).ExecuteAsync(context);
        }
        finally
        {
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = context.Response.StatusCode;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            StreamFlowTelemetry.HttpRequests.Add(1, new("http.route", route), new("http.response.status_code", status));
            StreamFlowTelemetry.HttpRequestDuration.Record(elapsedMs, new KeyValuePair<string, object?>("http.route", route));
            await RecordProviderRequestAsync(context, function);
            logger.LogInformation(
                "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms",
                context.Request.Method,
                context.Request.Path,
                status,
                elapsedMs);
        }
    }

    /// <summary>
    /// Every request the provider system made, whatever it answered, goes to the audit chain here, once
    /// (docs/provider-audit.md): a function cannot forget it. A failure to record is logged, never turned into the answer.
    /// </summary>
    private async Task RecordProviderRequestAsync(HttpContext context, MethodInfo? function)
    {
        if (providerAccess is null || function is null
            || context.Features.Get<AuthenticatedCaller>()?.Principal is not StreamFlow.Core.Identity.Systems.OperatorPrincipal { System: StreamFlow.Core.Identity.Systems.OperatorSystem.Provider } provider)
        {
            return;
        }

        var route = function.GetParameters().Select(p => p.GetCustomAttribute<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)?.Route;
        var path = context.Request.Path.Value ?? "";
        Guid? tenantId = ProviderTenantPath().Match(path) is { Success: true } match && Guid.TryParse(match.Groups[1].Value, out var id) ? id : null;
        try
        {
            await providerAccess.RecordAsync(new ProviderRequest(provider.Email, context.Request.Method, $"/api/{route}", path, tenantId,
                context.Response.StatusCode, context.TraceIdentifier, RequestOrigins.Of(context.Request)), CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Could not audit the provider request {Method} {Route}", context.Request.Method, route);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^/api/v1/provider/tenants/([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})(?:/|$)")]
    private static partial System.Text.RegularExpressions.Regex ProviderTenantPath();

    private static string CorrelationIdOf(HttpContext context)
    {
        var supplied = context.Request.Headers[CorrelationHeader].ToString();
        if (supplied.Length is > 0 and <= 64 && supplied.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return supplied;
        }

        return Activity.Current?.TraceId.ToString() ?? ActivityTraceId.CreateRandom().ToString();
    }
}
