@description('Principal (object) id of the managed identity that receives the roles.')
param principalId string

param storageAccountName string
param keyVaultName string

@description('Key-encryption key of personal data in that vault: the identity may only wrap and unwrap with it.')
param personalDataKekName string
param appInsightsName string

@description('Azure OpenAI account in this resource group that the app calls with its managed identity; empty for none.')
param azureOpenAiAccountName string = ''

// Built-in role definition ids (stable across tenants).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  cognitiveServicesOpenAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
}

// Blob Owner (not Contributor) because the Functions host manages blob leases and containers for
// singletons and Durable partitions; queues and tables are what Durable's Azure Storage provider uses.
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource personalDataKek 'Microsoft.KeyVault/vaults/keys@2024-11-01' existing = {
  parent: vault
  name: personalDataKekName
}

// No built-in role is this narrow (Crypto Service Encryption User also reads the key): wrap and unwrap, nothing else.
resource kekWrapUnwrapRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'streamflow-personal-data-kek-wrap-unwrap')
  properties: {
    roleName: 'StreamFlow personal-data KEK wrap/unwrap (${resourceGroup().name})'
    description: 'Wrap and unwrap tenants\' data keys with the personal-data key-encryption key; no read, sign, create or delete.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/wrap/action'
          'Microsoft.KeyVault/vaults/keys/unwrap/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource kekWrapUnwrap 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(personalDataKek.id, principalId, kekWrapUnwrapRole.id)
  scope: personalDataKek
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: kekWrapUnwrapRole.id
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource azureOpenAi 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = if (!empty(azureOpenAiAccountName)) {
  name: azureOpenAiAccountName
}

// Keyless calls from the AI gateway (DefaultAzureCredential) to Azure OpenAI deployments that have no API key.
resource azureOpenAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(azureOpenAiAccountName)) {
  name: guid(resourceGroup().id, azureOpenAiAccountName, principalId, roles.cognitiveServicesOpenAiUser)
  scope: azureOpenAi
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.cognitiveServicesOpenAiUser)
  }
}
