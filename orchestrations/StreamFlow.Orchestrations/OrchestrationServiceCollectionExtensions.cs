using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Orchestrations.Backups;
using StreamFlow.Orchestrations.Diagnostics;
using StreamFlow.Orchestrations.Webhooks;

namespace StreamFlow.Orchestrations;

public static class OrchestrationServiceCollectionExtensions
{
    /// <summary>Registers the activity classes so that trigger shims (and tests) can resolve them.</summary>
    public static IServiceCollection AddStreamFlowActivities(this IServiceCollection services)
    {
        services.AddTransient<ProbeBlobStorageActivity>();
        services.AddTransient<ProbeDatabaseActivity>();
        services.AddTransient<Scoring.ScoreLeadsActivity>();
        services.AddTransient<Scoring.AssessLeadWithAiActivity>();
        services.AddTransient<Scoring.MarkLeadScoringFailedActivity>();
        services.AddTransient<Leads.ParseLeadImportActivity>();
        services.AddTransient<Leads.ImportLeadChunkActivity>();
        services.AddTransient<Leads.FinishLeadImportActivity>();
        services.AddTransient<Scoring.TrainConversionModelActivity>();
        services.AddTransient<SendWebhookAttemptActivity>();
        services.AddHostedService<WebhookOutboxListener>();
        services.AddHostedService<Outbox.WorkOutboxListener>();
        services.AddTransient<TakeBackupActivity>();
        services.AddTransient<RecordBackupRunActivity>();
        services.AddTransient<ApplyBackupRetentionActivity>();
        services.AddTransient<VerifyBackupActivity>();
        services.AddTransient<SendBackupAlertActivity>();
        services.AddTransient<RestoreBackupActivity>();
        services.AddTransient<ReadRestoreProgressActivity>();
        services.AddSingleton<BackupLauncher>();
        services.AddTransient<Billing.CollectBillingUsageActivity>();
        services.AddTransient<Billing.PrepareInvoiceDraftActivity>();
        services.AddTransient<Billing.FinalizeInvoiceActivity>();
        services.AddTransient<Billing.StoreInvoiceDocumentActivity>();
        services.AddTransient<Billing.SubmitInvoiceForCollectionActivity>();
        services.AddTransient<Billing.EmailInvoiceActivity>();
        services.AddSingleton<Billing.BillingRunLauncher>();
        services.AddTransient<Rfps.ExtractRfpTextActivity>();
        services.AddTransient<Rfps.ExtractRfpFactsActivity>();
        services.AddTransient<Rfps.AssessRfpActivity>();
        services.AddTransient<Rfps.FailRfpAnalysisActivity>();
        services.AddTransient<Federation.PullFederationMemberActivity>();
        services.AddTransient<Connections.BeginConnectionSyncActivity>();
        services.AddTransient<Connections.SyncConnectionPageActivity>();
        services.AddTransient<Connections.RecordConnectionSyncWaitActivity>();
        services.AddTransient<Connections.FinishConnectionSyncActivity>();
        services.AddTransient<Connections.ProcessSourceAttachmentsActivity>();
        services.AddSingleton<Connections.ConnectionSyncLauncher>();
        services.AddSingleton<LeadSources.LocalServicesFeedbackStarter>();
        services.AddTransient<Workflows.BeginWorkflowRunActivity>();
        services.AddTransient<Workflows.PlanWorkflowWaitActivity>();
        services.AddTransient<Workflows.CheckWorkflowConditionActivity>();
        services.AddTransient<Workflows.EndWorkflowWaitActivity>();
        services.AddTransient<Workflows.RunWorkflowStepActivity>();
        services.AddTransient<Workflows.FinishWorkflowRunActivity>();
        services.AddHostedService<Workflows.WorkflowRunListener>();
        services.AddHostedService<Workflows.WorkflowWakeScheduler>();
        services.AddTransient<FieldOps.ReplanFieldDayActivity>();
        services.AddTransient<FieldOps.NotifyTechnicianOfReplanActivity>();
        services.AddTransient<Privacy.BeginSubjectRequestActivity>();
        services.AddTransient<Privacy.RunSubjectRequestActivity>();
        services.AddTransient<Privacy.FailSubjectRequestActivity>();
        services.AddTransient<Privacy.BeginDataKeyRotationActivity>();
        services.AddTransient<Privacy.ResealBatchActivity>();
        services.AddTransient<Privacy.BeginKekRotationActivity>();
        services.AddTransient<Privacy.RewrapTenantKeysActivity>();
        services.AddTransient<Privacy.FinishKeyRotationActivity>();
        return services;
    }
}
