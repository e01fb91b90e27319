using System.Diagnostics;

namespace StreamFlow.Bench.Http;

/// <summary>A closed-loop load: a fixed number of workers, each sending the next request when the last one answered.</summary>
internal sealed record LoadResult(string Name, long Requests, long Failures, double Seconds, double P50Ms, double P99Ms)
{
    public double RequestsPerSecond => Requests / Seconds;

    public override string ToString() =>
        $"{Name,-34} {RequestsPerSecond,9:0} req/s   p50 {P50Ms,7:0.00} ms   p99 {P99Ms,7:0.00} ms   ({Requests} requests, {Failures} failed)";
}

internal static class LoadRun
{
    public static Task<LoadResult> RunAsync(string name, Func<HttpClient, Task<bool>> send, int concurrency, TimeSpan duration) =>
        RunWhileAsync(name, send, concurrency, async () =>
        {
            await Task.Delay(duration);
            return false;
        });

    /// <summary>
    /// The same load for as long as <paramref name="keepGoing"/> says so: asked when the load starts and again whenever
    /// its last answer is in, so it should take its time (wait, then look).
    /// </summary>
    public static async Task<LoadResult> RunWhileAsync(string name, Func<HttpClient, Task<bool>> send, int concurrency, Func<Task<bool>> keepGoing)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(10) };
        await send(client);
        var latencies = new List<double>[concurrency];
        var failures = 0L;
        var going = true;
        var stopwatch = Stopwatch.StartNew();
        var watcher = Task.Run(async () =>
        {
            while (Volatile.Read(ref going))
            {
                Volatile.Write(ref going, await keepGoing());
            }
        });
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            latencies[worker] = [];
            while (Volatile.Read(ref going))
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await send(client);
                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        await Task.WhenAll(workers.Append(watcher));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(name, all.Length, failures, seconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    public static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
}
