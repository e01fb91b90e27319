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

    public const string LeadScoring = "LeadScoring";
    public const string ScoreLeads = "ScoreLeads";
    public const string AssessLeadWithAi = "AssessLeadWithAi";
    public const string MarkLeadScoringFailed = "MarkLeadScoringFailed";
    public const string LeadImport = "LeadImport";
    public const string ParseLeadImport = "ParseLeadImport";
    public const string ImportLeadChunk = "ImportLeadChunk";
    public const string FinishLeadImport = "FinishLeadImport";
    public const string ModelTraining = "ModelTraining";
    public const string TrainConversionModel = "TrainConversionModel";

    public const string WebhookDelivery = "WebhookDelivery";
    public const string SendWebhookAttempt = "SendWebhookAttempt";

    public const string FederationPull = "FederationPull";
    public const string PullFederationMember = "PullFederationMember";

    public const string DatabaseBackup = "DatabaseBackup";
    public const string DatabaseRestore = "DatabaseRestore";
    public const string TakeBackup = "TakeBackup";
    public const string RecordBackupRun = "RecordBackupRun";
    public const string ApplyBackupRetention = "ApplyBackupRetention";
    public const string VerifyBackup = "VerifyBackup";
    public const string SendBackupAlert = "SendBackupAlert";
    public const string RestoreBackup = "RestoreBackup";
    public const string ReadRestoreProgress = "ReadRestoreProgress";

    public const string BillingCycle = "BillingCycle";
    public const string CollectBillingUsage = "CollectBillingUsage";
    public const string PrepareInvoiceDraft = "PrepareInvoiceDraft";
    public const string FinalizeInvoice = "FinalizeInvoice";
    public const string StoreInvoiceDocument = "StoreInvoiceDocument";
    public const string SubmitInvoiceForCollection = "SubmitInvoiceForCollection";
    public const string EmailInvoice = "EmailInvoice";
    public const string RfpAnalysis = "RfpAnalysis";
    public const string ExtractRfpText = "ExtractRfpText";
    public const string ExtractRfpFacts = "ExtractRfpFacts";
    public const string AssessRfp = "AssessRfp";
    public const string FailRfpAnalysis = "FailRfpAnalysis";

    public const string ConnectionSync = "ConnectionSync";
    public const string BeginConnectionSync = "BeginConnectionSync";
    public const string SyncConnectionPage = "SyncConnectionPage";
    public const string RecordConnectionSyncWait = "RecordConnectionSyncWait";
    public const string FinishConnectionSync = "FinishConnectionSync";
    public const string ProcessSourceAttachments = "ProcessSourceAttachments";

    public const string WorkflowRun = "WorkflowRun";
    public const string BeginWorkflowRun = "BeginWorkflowRun";
    public const string PlanWorkflowWait = "PlanWorkflowWait";
    public const string CheckWorkflowCondition = "CheckWorkflowCondition";
    public const string EndWorkflowWait = "EndWorkflowWait";
    public const string RunWorkflowStep = "RunWorkflowStep";
    public const string FinishWorkflowRun = "FinishWorkflowRun";

    public const string FieldDayReplan = "FieldDayReplan";
    public const string ReplanFieldDay = "ReplanFieldDay";
    public const string NotifyTechnicianOfReplan = "NotifyTechnicianOfReplan";

    public const string SubjectRequest = "SubjectRequest";
    public const string BeginSubjectRequest = "BeginSubjectRequest";
    public const string RunSubjectRequest = "RunSubjectRequest";
    public const string FailSubjectRequest = "FailSubjectRequest";

    public const string KeyRotation = "KeyRotation";
    public const string BeginDataKeyRotation = "BeginDataKeyRotation";
    public const string ResealBatch = "ResealBatch";
    public const string BeginKekRotation = "BeginKekRotation";
    public const string RewrapTenantKeys = "RewrapTenantKeys";
    public const string FinishKeyRotation = "FinishKeyRotation";
}
