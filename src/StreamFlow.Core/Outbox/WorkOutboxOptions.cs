namespace StreamFlow.Core.Outbox;

/// <summary>The work outbox dispatcher (section <c>WorkOutbox</c>).</summary>
public sealed class WorkOutboxOptions
{
    public const string Section = "WorkOutbox";

    /// <summary>
    /// The durable task hub the work belongs to (default: <c>Durable:TaskHub</c>): a dispatcher starts only its own
    /// hub's work, so hosts of different hubs sharing one database (test hosts) never start each other's.
    /// </summary>
    public string TaskHub { get; set; } = "";

    /// <summary>Rows claimed per round trip; one orchestration start per row, the claim and the removal batched.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>While claimed, a row is skipped by other dispatchers; if its dispatcher dies, it is claimed again after this.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The listener's own sweep, behind NOTIFY: a notification missed while disconnected is picked up by then.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Start work when NOTIFY says some committed (hosts with an injectable durable client: the standalone host).</summary>
    public bool ListenForNotifications { get; set; } = true;
}
