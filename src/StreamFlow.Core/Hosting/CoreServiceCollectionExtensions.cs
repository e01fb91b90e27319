using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Federation;
using StreamFlow.Core.Email;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Identity.Passwords;
using StreamFlow.Core.Identity.Throttling;
using StreamFlow.Core.Tenancy;
using StreamFlow.Core.Health;
using StreamFlow.Core.Identity.Mfa;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.LeadSources;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Reports;
using StreamFlow.Core.Rfps;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.Tasks;
using StreamFlow.Core.Storage;
using StreamFlow.Core.Webhooks;
using StreamFlow.Core.Privacy;

namespace StreamFlow.Core.Hosting;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Registers every Core service; both hosts call this and nothing else registers Core types.</summary>
    public static IServiceCollection AddStreamFlowCore(this IServiceCollection services, IConfiguration configuration)
    {
        // The features' seams, wired to each other; TryAdd so that a host (or a test) that registered its own first keeps it.
        services.TryAddSingleton<Reports.IReportEvents, Reports.OutboxReportEvents>();
        services.TryAddSingleton<Reports.IAiSpendReader, Reports.LedgerAiSpendReader>();
        services.TryAddSingleton<Backups.IBackupAlertSink, Backups.EmailBackupAlertSink>();
        services.TryAddSingleton<Webhooks.IWebhookAdminNotifier, Webhooks.EmailWebhookAdminNotifier>();
        services.TryAddSingleton<Ai.IAiBudgetAlertSink, Ai.NotifyingAiBudgetAlertSink>();
        services.TryAddSingleton<Leads.Import.IImportedLeadScorer, Scoring.ImportedLeadScorer>();
        services.TryAddSingleton<Leads.IChangedLeadScorer, Scoring.ChangedLeadScorer>();
        services.TryAddSingleton<Tenancy.ITenantOwnerAccounts, Identity.Clients.TenantOwnerAccounts>();
        services.TryAddSingleton<Email.TenantAdminMailer>();
        services.TryAddSingleton<Scheduling.TimerSlotStore>();

        services.AddOptions<PostgresOptions>().Bind(configuration.GetSection(PostgresOptions.Section));
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PostgresOptions>>().Value;
            if (string.IsNullOrWhiteSpace(options.AppConnectionString))
            {
                throw new InvalidOperationException("Postgres:AppConnectionString is not set.");
            }

            var builder = new NpgsqlDataSourceBuilder(options.AppConnectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "streamflow";
            PostgresPool.Bound(builder.ConnectionStringBuilder, options);
            return builder.Build();
        });
        services.AddSingleton<StreamFlowDatabase>();
        services.AddPrivacy(configuration);
        services.AddSingleton<DatabaseMigrator>();

        services.AddSingleton(_ => BlobServiceClientFactory.Create(configuration));
        services.AddHostedService<BlobContainerInitializer>();

        services.AddSingleton(configuration.GetSection("OperatorAuth").Get<OperatorAuthOptions>() ?? new OperatorAuthOptions());
        services.AddSingleton<OperatorAccounts>();
        services.AddSingleton<OperatorTokenService>();
        services.AddSingleton<OperatorLoginService>();
        services.AddSingleton<TotpVerifier>();

        services.AddSingleton(IdentityOptions.From(configuration));
        services.AddSingleton(configuration.GetSection("LoginThrottle").Get<LoginThrottleOptions>() ?? new LoginThrottleOptions());
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section));
        services.AddSingleton<Branding.BrandResolver>();
        services.AddSingleton<Branding.BrandService>();
        services.AddSingleton<ProviderAudit.ProviderAccessLog>();
        services.AddSingleton<ClientSuccess.Playbooks.ChurnPlaybookService>();
        services.AddSingleton<EmailSender>();
        services.AddSingleton<EmailOutbox>();
        services.AddHostedService(provider => provider.GetRequiredService<EmailOutbox>());
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AuditChainHeadPublisher>();
        services.AddSingleton<AuditChainVerifier>();
        services.AddSingleton<AccessChanges>();
        services.AddHostedService<AccessChangesListener>();
        services.AddSingleton<SessionCache>();
        services.AddSingleton<TenantService>();
        services.AddSingleton<ClientAuthService>();
        services.AddSingleton<PasswordResetService>();
        services.AddSingleton<MfaService>();
        services.AddSingleton<UserAdministrationService>();
        services.AddSingleton<ClientProfileService>();
        services.AddSingleton<Search.SearchService>();
        services.AddOptions<ChangeFeed.ChangeFeedOptions>().Bind(configuration.GetSection(ChangeFeed.ChangeFeedOptions.Section));
        services.AddSingleton<ChangeFeed.ChangeFeedHub>();
        services.AddHostedService(provider => provider.GetRequiredService<ChangeFeed.ChangeFeedHub>());
        services.AddSingleton<ApiKeys.ApiKeyService>();

        services.AddSingleton<RateLimiting.ApiRateLimiter>();
        services.AddOptions<RateLimiting.RateLimitOptions>().Bind(configuration.GetSection(RateLimiting.RateLimitOptions.Section));
        services.AddHostedService<RateLimiting.ApiRateLimitSync>();
        services.AddOptions<Outbox.WorkOutboxOptions>().Bind(configuration.GetSection(Outbox.WorkOutboxOptions.Section))
            .Configure(options => options.TaskHub = configuration[$"{Outbox.WorkOutboxOptions.Section}:TaskHub"] is { Length: > 0 } hub ? hub : configuration["Durable:TaskHub"] ?? "");
        services.AddSingleton<Outbox.WorkOutbox>();
        services.AddSingleton<Outbox.WorkOutboxDispatcher>();
        services.AddSingleton<Outbox.PlatformOperations>();
        services.AddSingleton<Leads.Pipeline.PipelineService>();
        services.AddSingleton<Leads.LeadService>();
        services.AddSingleton<Leads.Export.LeadExportService>();
        services.AddSingleton<Leads.LeadRouter>();
        services.AddSingleton<Scoring.ModelRegistry>();
        services.AddSingleton<Scoring.LeadScoringService>();
        services.AddSingleton<Scoring.ModelTrainingService>();
        services.AddSingleton<Leads.Import.LeadImportService>();
        services.AddSingleton<Ai.AssistantService>();
        services.AddSingleton<Scoring.ScoringSettingsService>();
        services.AddSingleton<Scoring.AiLeadAssessor>();
        services.AddSingleton<Idempotency.IdempotencyStore>();
        services.AddSingleton(configuration.GetSection("Health").Get<HealthOptions>() ?? new HealthOptions());
        services.AddSingleton<HealthService>();
        services.AddSingleton<HeartbeatStore>();
        services.AddLeadImport(configuration);
        services.AddScoring(configuration);
        services.AddWebhooks(configuration);
        services.AddAi(configuration);
        services.AddBilling(configuration);
        services.AddBackups(configuration);
        services.AddReports(configuration);
        services.AddRfps(configuration);
        services.AddFieldOps();
        services.AddSingleton<Settings.TenantSettingsService>();
        services.AddSingleton<Settings.CustomFieldService>();
        services.AddSingleton<Leads.ILeadAttributeRules>(provider => provider.GetRequiredService<Settings.CustomFieldService>());
        services.AddTasks(configuration);
        Workflows.WorkflowsServiceCollectionExtensions.AddWorkflows(services, configuration);
        Templates.TemplatesServiceCollectionExtensions.AddIndustryTemplates(services);
        services.AddFederation(configuration);
        services.AddSingleton<Benchmarks.BenchmarkService>();
        services.AddLeadSources(configuration);
        Connectors.ConnectorsServiceCollectionExtensions.AddConnectors(services, configuration);
        services.AddSingleton<ClientSuccess.ClientSuccessService>();
        return services;
    }
}
