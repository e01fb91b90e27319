// StreamFlow on Azure: Functions (Flex Consumption, .NET 10 isolated) + Storage + PostgreSQL Flexible Server
// + Key Vault + Application Insights, all reached through one user-assigned managed identity.
targetScope = 'resourceGroup'

@description('Azure region for every resource. Flex Consumption is only offered in some regions.')
param location string = resourceGroup().location

@description('Short name that prefixes resource names.')
@minLength(3)
@maxLength(12)
param baseName string = 'streamflow'

@description('Environment label used in resource names and tags (dev, test, prod, ...).')
@minLength(2)
@maxLength(8)
param environmentName string = 'prod'

param tags object = {
  application: 'StreamFlow'
  environment: environmentName
}

// ---- Function App ----

@description('Upper bound of Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Memory per Flex Consumption instance.')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Origins allowed to call the REST API from a browser. Wildcards ("*") are dropped.')
param corsAllowedOrigins string[] = []

@description('Durable Functions task hub name.')
param durableTaskHub string = 'StreamFlow'

@description('Six-field CRON of the health heartbeat timer trigger.')
param heartbeatSchedule string = '0 */5 * * * *'

@description('Six-field CRON of the timer that copies the audit chain head to Blob storage.')
param auditChainHeadSchedule string = '0 */10 * * * *'

@description('Six-field CRON of the sweep that re-schedules scoring for leads still pending.')
param scoringSweepSchedule string = '0 * * * * *'

@description('Six-field CRON of the nightly model retraining.')
param modelRetrainingSchedule string = '0 15 3 * * *'

@description('Six-field CRON of the sweep that dispatches committed webhook events and restarts stalled deliveries.')
param webhookDispatchSchedule string = '*/5 * * * * *'

@description('Six-field CRON (UTC) of the nightly backup timer trigger.')
param backupSchedule string = '0 30 2 * * *'

@description('Six-field CRON of the timer that sends the scheduled reports that are due.')
param reportsSchedule string = '0 */15 * * * *'

@description('Six-field CRON of the nightly timer that applies every business\'s retention policy (UTC).')
param privacyRetentionSchedule string = '0 45 3 * * *'

@description('Six-field CRON of the timer that takes the words of changed records into the search dictionary.')
param searchWordsSchedule string = '0 * * * * *'

@description('Six-field CRON of the timer that flags personal data in free text written since its last run (UTC).')
param personalDataScanSchedule string = '0 */5 * * * *'

@description('Six-field CRON of the daily timer that starts the data-key rotations businesses\' policies make due (UTC).')
param privacyKeyRotationSchedule string = '0 15 4 * * *'

@description('Six-field CRON of the daily dunning pass: overdue-invoice reminders and provider alerts (UTC).')
param billingDunningSchedule string = '0 0 8 * * *'
@description('Six-field CRON of the timer that mails customers the reminders of their overdue invoices (field operations; each business\'s overdueReminderDays, from 08:00 local).')
param fieldOpsInvoiceReminderSchedule string = '0 20 * * * *'
@description('Six-field CRON of the nightly evaluation of the provider\'s churn playbooks (UTC).')
param clientSuccessPlaybookSchedule string = '0 30 5 * * *'
@description('Six-field CRON of the timer that deletes workflow runs ended longer ago than workflowRunRetention, with their logs.')
param workflowRunRetentionSchedule string = '0 40 3 * * *'
@description('How long an ended workflow run and its log are kept (d.hh:mm:ss).')
param workflowRunRetention string = '90.00:00:00'
@description('Local time (HH:mm, in each tenant\'s time zone) at which a period\'s report becomes due.')
param reportsSendAt string = '07:00'

@description('Extra app settings merged in as given (non-secret values only).')
param additionalAppSettings object = {}

// ---- Email ----

param smtpHost string = 'smtp.example.com'

@minValue(1)
@maxValue(65535)
param smtpPort int = 587

param smtpFrom string = 'StreamFlow <no-reply@example.com>'

// ---- Provider and developer operators ----

param providerEmail string = 'provider@example.com'

@description('At least 12 characters.')
@secure()
param providerPassword string

param devEmail string = 'developer@example.com'

@description('At least 12 characters.')
@secure()
param devPassword string

@description('HMAC key for provider JWTs (at least 32 characters).')
@secure()
param jwtProviderSigningKey string

@description('HMAC key for developer JWTs (at least 32 characters); must differ from the provider key.')
@secure()
param jwtDeveloperSigningKey string

@description('Base64 of 32 random bytes: the backup key with id "default" (rotate with Backups__Keys__<id> + Backups__CurrentKeyId).')
@secure()
param backupsEncryptionKey string

@description('Base64 of 32 random bytes: encrypts webhook signing secrets at rest.')
@secure()
param webhooksSecretEncryptionKey string
// ---- AI gateway ----

@description('Language-model upstreams the AI gateway may call. Empty: AI is off and features use their local methods.')
param aiDeployments {
  @description('Name used by routing, circuit breaking and the usage ledger.')
  name: string
  kind: ('OpenAI' | 'AzureOpenAI')
  @description('Base URL: https://api.openai.com/v1, or the Azure OpenAI resource https://NAME.openai.azure.com.')
  endpoint: string
  @description('Model sent upstream (Azure: the Azure deployment name).')
  model: string
  @description('Price-table name of the model when it differs from model.')
  pricedAs: string?
  @description('True when the deployment authenticates with a key from aiApiKeys; false uses the managed identity (Azure only).')
  hasApiKey: bool
}[] = []

@description('API keys by deployment name, stored in Key Vault (only for deployments with hasApiKey).')
param aiApiKeys object = {}

@description('Deployment tried first (empty: the first in aiDeployments).')
param aiPrimaryDeployment string = ''

@description('Deployments tried in order when the primary fails or its circuit is open.')
param aiFallbackDeployments string[] = []

@description('Azure OpenAI account in this resource group that keyless deployments call; it gets the OpenAI User role.')
param azureOpenAiAccountName string = ''

@description('USD per million tokens per model, as decimal strings (Bicep has no decimal type).')
param aiPrices {
  model: string
  inputPerMillion: string
  cachedInputPerMillion: string?
  outputPerMillion: string
}[] = [
  {
    model: 'gpt-4o-mini'
    inputPerMillion: '0.15'
    cachedInputPerMillion: '0.075'
    outputPerMillion: '0.60'
  }
  {
    model: 'gpt-4.1-mini'
    inputPerMillion: '0.40'
    cachedInputPerMillion: '0.10'
    outputPerMillion: '1.60'
  }
]

@description('What the provider spends on AI per UTC month across all tenants, at most (USD, decimal string).')
param aiProviderMonthlyCapUsd string = '50'

@description('A tenant\'s daily AI limit until the provider sets one (USD, decimal string).')
param aiDefaultTenantDailyLimitUsd string = '2'

@description('A tenant\'s monthly AI limit until the provider sets one (USD, decimal string).')
param aiDefaultTenantMonthlyLimitUsd string = '20'

// ---- PostgreSQL ----

@description('Server administrator; it owns the schema and runs the migrations.')
param postgresOwnerLogin string = 'streamflow_owner'

@description('At least 12 characters; Azure also requires three character classes.')
@secure()
param postgresOwnerPassword string

@description('Application role (no ownership, no BYPASSRLS). The migrations create it with this password.')
param postgresAppLogin string = 'streamflow_app'

@description('At least 12 characters.')
@secure()
param postgresAppPassword string

@description('Backup role (BYPASSRLS + pg_read_all_data only). Create it with infra/db/bootstrap.sql before the first backup.')
param postgresBackupLogin string = 'streamflow_backup'

@description('At least 12 characters.')
@secure()
param postgresBackupPassword string

param postgresDatabaseName string = 'streamflow'
param postgresSkuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@minValue(32)
param postgresStorageSizeGB int = 32

@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 7

@description('Allow connections from Azure-internal addresses; required while the Function App is not VNet-integrated.')
param postgresAllowAzureServices bool = true

@allowed([
  'Require'
  'VerifyCA'
  'VerifyFull'
])
param postgresSslMode string = 'Require'

@description('Optional Entra administrator of the PostgreSQL server (leave objectId empty for none).')
param postgresEntraAdmin {
  objectId: string
  principalName: string
  principalType: ('User' | 'Group' | 'ServicePrincipal')
} = {
  objectId: ''
  principalName: ''
  principalType: 'Group'
}

// ---- Monitoring ----

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// ---- Names ----

var suffix = uniqueString(subscription().id, resourceGroup().id, baseName, environmentName)
var prefix = '${baseName}-${environmentName}'
var compactBase = toLower(replace(baseName, '-', ''))

var names = {
  identity: 'id-${prefix}'
  logAnalytics: 'log-${prefix}'
  appInsights: 'appi-${prefix}'
  storage: take('st${compactBase}${suffix}', 24)
  keyVault: 'kv-${take(compactBase, 6)}-${suffix}'
  postgres: 'psql-${prefix}-${take(suffix, 6)}'
  plan: 'plan-${prefix}'
  functionApp: 'func-${prefix}-${take(suffix, 6)}'
}

var appContainers = [
  'backups'
  'reports'
  'documents'
  'models'
]
var deploymentContainerName = 'deployments'

// ---- Resources ----

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    appContainers: appContainers
    deploymentContainerName: deploymentContainerName
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: names.postgres
    location: location
    tags: tags
    administratorLogin: postgresOwnerLogin
    administratorPassword: postgresOwnerPassword
    databaseName: postgresDatabaseName
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageSizeGB
    backupRetentionDays: postgresBackupRetentionDays
    allowAzureServices: postgresAllowAzureServices
    entraAdmin: postgresEntraAdmin
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    postgresHost: postgres.outputs.fqdn
    postgresDatabase: postgres.outputs.databaseName
    postgresSslMode: postgresSslMode
    postgresAppLogin: postgresAppLogin
    postgresAppPassword: postgresAppPassword
    postgresOwnerLogin: postgresOwnerLogin
    postgresOwnerPassword: postgresOwnerPassword
    postgresBackupLogin: postgresBackupLogin
    postgresBackupPassword: postgresBackupPassword
    providerPassword: providerPassword
    devPassword: devPassword
    jwtProviderSigningKey: jwtProviderSigningKey
    jwtDeveloperSigningKey: jwtDeveloperSigningKey
    backupsEncryptionKey: backupsEncryptionKey
    webhooksSecretEncryptionKey: webhooksSecretEncryptionKey
    aiKeyedDeploymentNames: map(filter(aiDeployments, deployment => deployment.hasApiKey), deployment => deployment.name)
    aiApiKeys: aiApiKeys
  }
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    personalDataKekName: keyVault.outputs.personalDataKekName
    appInsightsName: monitoring.outputs.appInsightsName
    azureOpenAiAccountName: azureOpenAiAccountName
  }
}

var secretRefs = keyVault.outputs.references
// A wildcard would open the API to every site; an explicit list is the only accepted form.
var allowedOrigins = filter(corsAllowedOrigins, origin => trim(origin) != '*')

// Ai:Deployments and Ai:Prices are lists: ASP.NET configuration reads them as Ai__Deployments__0__Name, ...
var aiDeploymentSettings = reduce(range(0, length(aiDeployments)), {}, (settings, i) => union(settings, {
  'Ai__Deployments__${i}__Name': aiDeployments[i].name
  'Ai__Deployments__${i}__Kind': aiDeployments[i].kind
  'Ai__Deployments__${i}__Endpoint': aiDeployments[i].endpoint
  'Ai__Deployments__${i}__Model': aiDeployments[i].model
  'Ai__Deployments__${i}__PricedAs': aiDeployments[i].?pricedAs ?? ''
}, aiDeployments[i].hasApiKey ? { 'Ai__Deployments__${i}__ApiKey': keyVault.outputs.aiApiKeyReferences[aiDeployments[i].name] } : {}))
var aiPriceSettings = reduce(range(0, length(aiPrices)), {}, (settings, i) => union(settings, {
  'Ai__Prices__${i}__Model': aiPrices[i].model
  'Ai__Prices__${i}__InputPerMillion': aiPrices[i].inputPerMillion
  'Ai__Prices__${i}__CachedInputPerMillion': aiPrices[i].?cachedInputPerMillion ?? aiPrices[i].inputPerMillion
  'Ai__Prices__${i}__OutputPerMillion': aiPrices[i].outputPerMillion
}))
var aiFallbackSettings = toObject(range(0, length(aiFallbackDeployments)), i => 'Ai__FallbackDeployments__${i}', i => aiFallbackDeployments[i])

var appSettings = union(additionalAppSettings, aiDeploymentSettings, aiPriceSettings, aiFallbackSettings, {
  Ai__PrimaryDeployment: aiPrimaryDeployment
  Ai__Budget__ProviderMonthlyCapUsd: aiProviderMonthlyCapUsd
  Ai__Budget__DefaultTenantDailyLimitUsd: aiDefaultTenantDailyLimitUsd
  Ai__Budget__DefaultTenantMonthlyLimitUsd: aiDefaultTenantMonthlyLimitUsd
  Durable__TaskHub: durableTaskHub
  HeartbeatSchedule: heartbeatSchedule
  AuditChainHeadSchedule: auditChainHeadSchedule
  ScoringSweepSchedule: scoringSweepSchedule
  ModelRetrainingSchedule: modelRetrainingSchedule
  WebhookDispatchSchedule: webhookDispatchSchedule
  BackupSchedule: backupSchedule
  ReportsSchedule: reportsSchedule
  PrivacyRetentionSchedule: privacyRetentionSchedule
  Search__WordsSchedule: searchWordsSchedule
  PersonalDataScanSchedule: personalDataScanSchedule
  PrivacyKeyRotationSchedule: privacyKeyRotationSchedule
  Billing__DunningSchedule: billingDunningSchedule
  FieldOps__InvoiceReminderSchedule: fieldOpsInvoiceReminderSchedule
  ClientSuccess__PlaybookSchedule: clientSuccessPlaybookSchedule
  Workflows__RunRetentionSchedule: workflowRunRetentionSchedule
  Workflows__RunRetention: workflowRunRetention
  Reports__SendAt: reportsSendAt
  Postgres__AppConnectionString: secretRefs.postgresAppConnectionString
  Postgres__OwnerConnectionString: secretRefs.postgresOwnerConnectionString
  Postgres__BackupConnectionString: secretRefs.postgresBackupConnectionString
  Postgres__AdminConnectionString: secretRefs.postgresAdminConnectionString
  Smtp__Host: smtpHost
  Smtp__Port: string(smtpPort)
  Smtp__From: smtpFrom
  STREAMFLOW_PROVIDER_EMAIL: providerEmail
  STREAMFLOW_PROVIDER_PASSWORD: secretRefs.providerPassword
  STREAMFLOW_DEV_EMAIL: devEmail
  STREAMFLOW_DEV_PASSWORD: secretRefs.devPassword
  Jwt__ProviderSigningKey: secretRefs.jwtProviderSigningKey
  Jwt__DeveloperSigningKey: secretRefs.jwtDeveloperSigningKey
  Backups__EncryptionKey: secretRefs.backupsEncryptionKey
  Webhooks__SecretEncryptionKey: secretRefs.webhooksSecretEncryptionKey
  Privacy__KeyVault__VaultUrl: keyVault.outputs.uri
  Privacy__KeyVault__KeyName: keyVault.outputs.personalDataKekName
  Cors__AllowedOrigins: join(allowedOrigins, ',')
})

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    corsAllowedOrigins: allowedOrigins
    appSettings: appSettings
  }
  // The app reads Key Vault references and the storage account through the identity from its first start.
  dependsOn: [
    roleAssignments
  ]
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.name
output postgresFqdn string = postgres.outputs.fqdn
output keyVaultUri string = keyVault.outputs.uri
