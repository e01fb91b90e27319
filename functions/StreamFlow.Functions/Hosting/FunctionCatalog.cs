using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;

namespace StreamFlow.Functions.Hosting;

/// <summary>
/// Every function the Functions app declares, read from its attributes. The standalone host serves exactly this
/// and the OpenAPI document describes exactly this, so a route, schedule or orchestration is declared once.
/// </summary>
public sealed class FunctionCatalog
{
    private readonly Dictionary<string, HttpFunction> _httpByEntryPoint;

    private FunctionCatalog(
        string routePrefix,
        IReadOnlyList<HttpFunction> http,
        IReadOnlyList<TimerFunction> timers,
        IReadOnlyList<DurableFunction> orchestrators,
        IReadOnlyList<DurableFunction> activities)
    {
        RoutePrefix = routePrefix;
        Http = http;
        _httpByEntryPoint = http.ToDictionary(f => $"{f.Method.DeclaringType!.FullName}.{f.Method.Name}");
        Timers = timers;
        Orchestrators = orchestrators;
        Activities = activities;
    }

    public string RoutePrefix { get; }

    public IReadOnlyList<HttpFunction> Http { get; }

    /// <summary>The HTTP function whose method the Functions host names as <c>Namespace.Type.Method</c>.</summary>
    public HttpFunction? HttpByEntryPoint(string entryPoint) => _httpByEntryPoint.GetValueOrDefault(entryPoint);

    public IReadOnlyList<TimerFunction> Timers { get; }

    public IReadOnlyList<DurableFunction> Orchestrators { get; }

    public IReadOnlyList<DurableFunction> Activities { get; }

    public static FunctionCatalog Load(Assembly assembly, string? hostJsonPath = null)
    {
        var routePrefix = ReadRoutePrefix(hostJsonPath ?? Path.Combine(AppContext.BaseDirectory, "host.json"));
        var functions = assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Function: method.GetCustomAttribute<FunctionAttribute>()))
            .Where(f => f.Function is not null)
            .ToList();

        var http = new List<HttpFunction>();
        var timers = new List<TimerFunction>();
        var orchestrators = new List<DurableFunction>();
        var activities = new List<DurableFunction>();
        foreach (var (method, function) in functions)
        {
            var name = function!.Name;
            foreach (var parameter in method.GetParameters())
            {
                if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } httpTrigger)
                {
                    var route = httpTrigger.Route ?? name;
                    var methods = httpTrigger.Methods is { Length: > 0 } declared
                        ? declared.Select(m => m.ToUpperInvariant()).ToArray()
                        : ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
                    http.Add(new HttpFunction(name, methods, JoinRoute(routePrefix, route), method));
                }
                else if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
                {
                    timers.Add(new TimerFunction(name, timer.Schedule, timer.RunOnStartup, method));
                }
                else if (parameter.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null)
                {
                    orchestrators.Add(new DurableFunction(name, method, parameter));
                }
                else if (parameter.GetCustomAttribute<ActivityTriggerAttribute>() is not null)
                {
                    activities.Add(new DurableFunction(name, method, parameter));
                }
            }
        }

        return new FunctionCatalog(routePrefix, http, timers, orchestrators, activities);
    }

    private static string JoinRoute(string prefix, string route) =>
        string.IsNullOrEmpty(prefix) ? route.TrimStart('/') : $"{prefix}/{route.TrimStart('/')}";

    private static string ReadRoutePrefix(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath))
        {
            return "api";
        }

        var hostJson = JsonNode.Parse(File.ReadAllText(hostJsonPath));
        return hostJson?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>().Trim('/') ?? "api";
    }
}

/// <summary>An HTTP-triggered function; <see cref="Route"/> includes the host's route prefix.</summary>
public sealed record HttpFunction(string Name, IReadOnlyList<string> Methods, string Route, MethodInfo Method);

/// <summary>A timer-triggered function; <see cref="Schedule"/> may contain <c>%Setting%</c> references.</summary>
public sealed record TimerFunction(string Name, string Schedule, bool RunOnStartup, MethodInfo Method);

/// <summary>An orchestration or activity trigger shim, with the parameter that carries the trigger.</summary>
public sealed record DurableFunction(string Name, MethodInfo Method, ParameterInfo TriggerParameter);
