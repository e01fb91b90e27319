using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamFlow.Core.Diagnostics;

/// <summary>The activity source and meter StreamFlow reports through (OpenTelemetry-compatible).</summary>
public static class StreamFlowTelemetry
{
    public const string Name = "StreamFlow";

    public static ActivitySource ActivitySource { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    public static Counter<long> HttpRequests { get; } =
        Meter.CreateCounter<long>("streamflow.http.requests", description: "HTTP requests served, by route and status.");

    public static Histogram<double> HttpRequestDuration { get; } =
        Meter.CreateHistogram<double>("streamflow.http.request.duration", unit: "ms", description: "HTTP request duration.");
}
