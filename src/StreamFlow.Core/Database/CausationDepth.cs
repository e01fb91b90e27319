namespace StreamFlow.Core.Database;

/// <summary>
/// How many automated steps led to the work in flight: a workflow step sets it for the code it calls, and every
/// transaction opened meanwhile carries it as <c>app.workflow_depth</c>, so the runs its events queue are one deeper
/// (the loop limit of issue #16). Flows with the async context, like the ambient tenant of a request would.
/// </summary>
public static class CausationDepth
{
    private static readonly AsyncLocal<int?> Depth = new();

    public static int? Current => Depth.Value;

    /// <summary>Sets the depth until the returned scope is disposed.</summary>
    public static IDisposable Enter(int depth)
    {
        var previous = Depth.Value;
        Depth.Value = depth;
        return new Restore(previous);
    }

    private sealed class Restore(int? previous) : IDisposable
    {
        public void Dispose() => Depth.Value = previous;
    }
}
