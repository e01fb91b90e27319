@minLength(3)
@maxLength(63)
param name string

param location string
param tags object

param administratorLogin string

@description('Azure also enforces its own complexity rules (three character classes).')
@secure()
@minLength(12)
@maxLength(128)
param administratorPassword string

param databaseName string
param skuName string

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string

@minValue(32)
param storageSizeGB int

@minValue(7)
@maxValue(35)
param backupRetentionDays int

@description('Opens the server to Azure-internal addresses (0.0.0.0 rule). Needed while the Function App is not VNet-integrated.')
param allowAzureServices bool

@description('Optional Entra administrator; leave objectId empty to add none.')
param entraAdmin entraAdminType

type entraAdminType = {
  objectId: string
  principalName: string
  principalType: ('User' | 'Group' | 'ServicePrincipal')
}

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: '16'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Enabled'
      tenantId: subscription().tenantId
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

resource requireTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: {
    value: 'on'
    source: 'user-override'
  }
}

resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (allowAzureServices) {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

// The Entra admin can only be added once the server has finished provisioning and Entra auth is on.
resource administrator 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (!empty(entraAdmin.objectId)) {
  parent: server
  name: empty(entraAdmin.objectId) ? 'none' : entraAdmin.objectId
  properties: {
    principalName: entraAdmin.principalName
    principalType: entraAdmin.principalType
    tenantId: subscription().tenantId
  }
  dependsOn: [
    database
    requireTls
    allowAzure
  ]
}

output id string = server.id
output name string = server.name
output fqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
