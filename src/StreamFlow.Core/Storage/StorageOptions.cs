namespace StreamFlow.Core.Storage;

/// <summary>The blob containers StreamFlow writes to; created at start-up.</summary>
public static class BlobContainerNames
{
    public const string Backups = "backups";
    public const string Reports = "reports";
    public const string Documents = "documents";
    public const string Models = "models";
    public const string Platform = "platform";
    public const string Invoices = "invoices";
    public const string Branding = "branding";

    public static IReadOnlyList<string> All { get; } = [Backups, Reports, Documents, Models, Platform, Invoices, Branding];
}
