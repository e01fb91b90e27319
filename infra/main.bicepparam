// Example parameters for a StreamFlow environment. No secret lives in this file: every @secure() value is read
// from an environment variable when the parameters are compiled (`az deployment group create
// --parameters main.bicepparam` or `bicep build-params main.bicepparam`). An unset variable compiles to '';
// the deployment then fails on the minimum lengths in modules/keyvault.bicep and modules/postgres.bicep
// before any empty secret is stored.
using 'main.bicep'

param baseName = 'streamflow'
param environmentName = 'prod'

param corsAllowedOrigins = [
  'https://app.example.com'
  'https://admin.example.com'
]

param smtpHost = 'smtp.example.com'
param smtpPort = 587
param smtpFrom = 'StreamFlow <no-reply@example.com>'

param providerEmail = 'provider@example.com'
param providerPassword = readEnvironmentVariable('STREAMFLOW_PROVIDER_PASSWORD', '')
param devEmail = 'developer@example.com'
param devPassword = readEnvironmentVariable('STREAMFLOW_DEV_PASSWORD', '')

param jwtProviderSigningKey = readEnvironmentVariable('STREAMFLOW_JWT_PROVIDER_SIGNING_KEY', '')
param jwtDeveloperSigningKey = readEnvironmentVariable('STREAMFLOW_JWT_DEVELOPER_SIGNING_KEY', '')
param backupsEncryptionKey = readEnvironmentVariable('STREAMFLOW_BACKUPS_ENCRYPTION_KEY', '')
param webhooksSecretEncryptionKey = readEnvironmentVariable('STREAMFLOW_WEBHOOKS_SECRET_ENCRYPTION_KEY', '')

param postgresOwnerLogin = 'streamflow_owner'
param postgresOwnerPassword = readEnvironmentVariable('STREAMFLOW_POSTGRES_OWNER_PASSWORD', '')
param postgresAppLogin = 'streamflow_app'
param postgresAppPassword = readEnvironmentVariable('STREAMFLOW_POSTGRES_APP_PASSWORD', '')
param postgresBackupLogin = 'streamflow_backup'
param postgresBackupPassword = readEnvironmentVariable('STREAMFLOW_POSTGRES_BACKUP_PASSWORD', '')
param postgresSkuName = 'Standard_B1ms'
param postgresSkuTier = 'Burstable'

param functionMaximumInstanceCount = 100
param functionInstanceMemoryMB = 2048

// AI gateway: no aiDeployments keeps AI off (local models only). Example: a keyless Azure OpenAI deployment
// (managed identity, OpenAI User role on the account) with OpenAI as the fallback, its key from the environment:
// param aiDeployments = [
//   { name: 'azure-mini', kind: 'AzureOpenAI', endpoint: 'https://contoso-ai.openai.azure.com', model: 'gpt-4o-mini', hasApiKey: false }
//   { name: 'openai-mini', kind: 'OpenAI', endpoint: 'https://api.openai.com/v1', model: 'gpt-4o-mini', hasApiKey: true }
// ]
// param aiFallbackDeployments = ['openai-mini']
// param azureOpenAiAccountName = 'contoso-ai'
// param aiApiKeys = { 'openai-mini': readEnvironmentVariable('STREAMFLOW_OPENAI_API_KEY', '') }
param aiProviderMonthlyCapUsd = '50'
