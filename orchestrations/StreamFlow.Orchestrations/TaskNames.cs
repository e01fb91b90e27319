namespace StreamFlow.Orchestrations;

/// <summary>
/// The stable names of every orchestration and activity. They are stored in durable history, so they never
/// change with a class rename.
/// </summary>
public static class TaskNames
{
    public const string PlatformSelfTest = "PlatformSelfTest";
    public const string ProbeBlobStorage = "ProbeBlobStorage";
    public const string ProbeDatabase = "ProbeDatabase";
    public const string WebhookDelivery = "WebhookDelivery";
    public const string SendWebhookAttempt = "SendWebhookAttempt";
}
