namespace StreamFlow.Core.Workflows;

/// <summary>The workflow run engine (section <c>Workflows</c>).</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflows";

    /// <summary>Runs queued by events that runs caused, this many levels deep, still run; one level deeper is skipped (the loop limit).</summary>
    public int MaxDepth { get; set; } = 3;

    /// <summary>
    /// The wall time one minute of a wait takes (minutes and business minutes; an <c>until</c> time is never scaled).
    /// One minute in production; tests and the bench shorten it to run the real engine and durable timers in seconds.
    /// </summary>
    public TimeSpan MinuteLength { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A wait without a condition that is due within this (wall time, from when it is planned by a host) is carried by the
    /// database and the hosts' wake scheduler instead of a durable timer: it wakes on time whatever the durable backend's
    /// backlog. Longer waits, and waits with <c>untilCondition</c>, are durable timers. Zero: every wait is a durable timer.
    /// </summary>
    public TimeSpan ShortWaitHorizon { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often a wait with <c>untilCondition</c> checks its condition before it times out.</summary>
    public TimeSpan ConditionPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts of one step (the first included) before the run fails and the owners are emailed.</summary>
    public int StepAttempts { get; set; } = 3;

    /// <summary>Queued runs handed to the work outbox per round trip.</summary>
    public int DispatchBatchSize { get; set; } = 500;

    /// <summary>
    /// Time a claim may spend taking runs' leading steps in process before it hands the rest over untouched (zero: hand
    /// every run over at once). Well under <see cref="ClaimLease"/>, so that no other host claims a run being started.
    /// </summary>
    public TimeSpan InProcessBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Begin a claim's fresh runs of one business together, in one transaction (<see cref="WorkflowBatchStarter"/>); false:
    /// each run is begun one by one in its own transactions (the path before the batch start, kept to compare and to fall
    /// back on).
    /// </summary>
    public bool BatchStart { get; set; } = true;

    /// <summary>Runs of one claim started in process at once (each its own transactions and connection).</summary>
    public int InProcessConcurrency { get; set; } = 8;

    /// <summary>While claimed, a queued run is skipped by other hosts; if its host dies, it is claimed again after this.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The listener's sweep behind NOTIFY.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Hand queued runs to the work outbox the moment NOTIFY says some committed (the standalone host).</summary>
    public bool ListenForNotifications { get; set; } = true;

    /// <summary>Six-field CRON of the timer that queues the runs of schedule-triggered workflows (read by the hosts as %Workflows:ScheduleSweep%).</summary>
    public string ScheduleSweep { get; set; } = "0 * * * * *";

    /// <summary>Six-field CRON of the sweep that hands queued runs to the work outbox (read by the hosts as %Workflows:RunSweepSchedule%).</summary>
    public string RunSweepSchedule { get; set; } = "*/30 * * * * *";

    /// <summary>How long a run that ended (completed, skipped, failed, cancelled) keeps its row and log; older ones are deleted.</summary>
    public TimeSpan RunRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Six-field CRON of the timer that deletes runs older than <see cref="RunRetention"/> (read by the hosts as %Workflows:RunRetentionSchedule%).</summary>
    public string RunRetentionSchedule { get; set; } = "0 40 3 * * *";
}
