@minLength(3)
@maxLength(24)
param name string

param location string
param tags object

@description('Host name of the PostgreSQL server the connection strings point at.')
param postgresHost string

param postgresDatabase string

@allowed([
  'Require'
  'VerifyCA'
  'VerifyFull'
])
param postgresSslMode string

param postgresAppLogin string

// The lengths are enforced here, where the secrets are written, rather than on main.bicep's parameters:
// main.bicepparam reads them from environment variables with '' as fallback, and Bicep would reject that
// fallback at compile time; here an unset variable fails the deployment before any empty secret is stored.
@secure()
@minLength(12)
param postgresAppPassword string

param postgresOwnerLogin string

@secure()
@minLength(12)
param postgresOwnerPassword string

param postgresBackupLogin string

@secure()
@minLength(12)
param postgresBackupPassword string

@secure()
@minLength(12)
param providerPassword string

@secure()
@minLength(12)
param devPassword string

@secure()
@minLength(32)
param jwtProviderSigningKey string

@secure()
@minLength(32)
param jwtDeveloperSigningKey string

@description('Base64 of 32 random bytes.')
@secure()
@minLength(44)
@maxLength(44)
param backupsEncryptionKey string

@secure()
@minLength(44)
param webhooksSecretEncryptionKey string
@description('Names of the AI deployments that authenticate with an API key (not secret; the keys are in aiApiKeys).')
param aiKeyedDeploymentNames string[] = []

@description('AI deployment API keys by deployment name. Only the names in aiKeyedDeploymentNames are stored.')
param aiApiKeys object = {}

var secretNames = {
  postgresAppConnectionString: 'postgres-app-connection-string'
  postgresOwnerConnectionString: 'postgres-owner-connection-string'
  postgresBackupConnectionString: 'postgres-backup-connection-string'
  postgresAdminConnectionString: 'postgres-admin-connection-string'
  providerPassword: 'streamflow-provider-password'
  devPassword: 'streamflow-dev-password'
  jwtProviderSigningKey: 'jwt-provider-signing-key'
  jwtDeveloperSigningKey: 'jwt-developer-signing-key'
  backupsEncryptionKey: 'backups-encryption-key'
  webhooksSecretEncryptionKey: 'webhooks-secret-encryption-key'
}

// Passwords are double-quoted (inner quotes doubled) so ';' or '=' in them cannot break the connection string.
func npgsqlConnectionString(host string, database string, sslMode string, login string, password string) string =>
  'Host=${host};Port=5432;Database=${database};SSL Mode=${sslMode};Username=${login};Password="${replace(password, '"', '""')}"'

var secretValues = {
  postgresAppConnectionString: npgsqlConnectionString(postgresHost, postgresDatabase, postgresSslMode, postgresAppLogin, postgresAppPassword)
  postgresOwnerConnectionString: npgsqlConnectionString(postgresHost, postgresDatabase, postgresSslMode, postgresOwnerLogin, postgresOwnerPassword)
  postgresBackupConnectionString: npgsqlConnectionString(postgresHost, postgresDatabase, postgresSslMode, postgresBackupLogin, postgresBackupPassword)
  // The server admin (the owner login on Flexible Server) on the maintenance database: restores create databases.
  postgresAdminConnectionString: npgsqlConnectionString(postgresHost, 'postgres', postgresSslMode, postgresOwnerLogin, postgresOwnerPassword)
  providerPassword: providerPassword
  devPassword: devPassword
  jwtProviderSigningKey: jwtProviderSigningKey
  jwtDeveloperSigningKey: jwtDeveloperSigningKey
  backupsEncryptionKey: backupsEncryptionKey
  webhooksSecretEncryptionKey: webhooksSecretEncryptionKey
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection cannot be turned off again once enabled; that is the point.
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // The Functions platform resolves Key Vault references over the public endpoint unless the app is VNet-integrated.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// The key-encryption key of personal data (issue #15): tenants' data keys are wrapped by it and it never leaves the
// vault. RSA 3072, usable for wrapKey and unwrapKey only.
resource personalDataKek 'Microsoft.KeyVault/vaults/keys@2024-11-01' = {
  parent: vault
  name: 'streamflow-personal-data-kek'
  tags: tags
  properties: {
    kty: 'RSA'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
  }
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [
  for secret in items(secretNames): {
    parent: vault
    name: secret.value
    properties: {
      value: secretValues[secret.key]
      attributes: {
        enabled: true
      }
    }
  }
]

// One secret per keyed AI deployment; Azure OpenAI deployments without a key use the managed identity instead.
func aiApiKeySecretName(deploymentName string) string => 'ai-api-key-${toLower(replace(deploymentName, '_', '-'))}'

resource aiApiKeySecrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [
  for deploymentName in aiKeyedDeploymentNames: {
    parent: vault
    name: aiApiKeySecretName(deploymentName)
    properties: {
      value: aiApiKeys[deploymentName]
      attributes: {
        enabled: true
      }
    }
  }
]

// Versionless references: the platform picks up a rotated secret without a redeployment.
func keyVaultReference(vaultUri string, secretName string) string =>
  '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName}/)'

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri

type secretReferences = {
  postgresAppConnectionString: string
  postgresOwnerConnectionString: string
  postgresBackupConnectionString: string
  postgresAdminConnectionString: string
  providerPassword: string
  devPassword: string
  jwtProviderSigningKey: string
  jwtDeveloperSigningKey: string
  backupsEncryptionKey: string
  webhooksSecretEncryptionKey: string
}

@description('App-setting values (Key Vault references) keyed like the secure parameters of this module.')
output references secretReferences = toObject(
  items(secretNames),
  entry => entry.key,
  entry => keyVaultReference(vault.properties.vaultUri, entry.value)
)

@description('App-setting values (Key Vault references) of the AI API keys, keyed by deployment name.')
output aiApiKeyReferences object = toObject(
  aiKeyedDeploymentNames,
  deploymentName => deploymentName,
  deploymentName => keyVaultReference(vault.properties.vaultUri, aiApiKeySecretName(deploymentName))
)

@description('Name of the key-encryption key of personal data (Privacy:KeyVault:KeyName).')
output personalDataKekName string = personalDataKek.name
