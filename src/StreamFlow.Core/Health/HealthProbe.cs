namespace StreamFlow.Core.Health;

/// <summary>One dependency check: it completes when the dependency answers and throws when it does not.</summary>
public sealed record HealthProbe(string Name, Func<CancellationToken, Task> CheckAsync);
