using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy;

/// <summary>
/// Seals personal values still held in the plain_* columns — rows written before migration 0121, or brought back by
/// restoring an older backup — in batches of one transaction each, per tenant, at start-up. Resumable by construction:
/// a batch clears the plain values it sealed, so a crash loses at most the batch in flight, which the next run redoes.
/// </summary>
public sealed class PersonalDataBackfill(StreamFlowDatabase database, TenantKeyring keyring, ILogger<PersonalDataBackfill> logger) : BackgroundService
{
    private const int BatchSize = 200;

    /// <summary>Seals every plain value left; the number of rows sealed.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var sealedRows = 0;
        foreach (var tenantId in await database.InPlatformAsync(PersonalDataBackfillStore.TenantsAsync, cancellationToken))
        {
            sealedRows += await SealTenantAsync(tenantId, cancellationToken);
        }

        return sealedRows;
    }

    internal async Task<int> SealTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        TenantKeys? keys = null;
        var total = 0;
        while (true)
        {
            var sealedInBatch = await database.InTenantAsync(tenantId, async scope =>
            {
                var leads = await PersonalDataBackfillStore.PlainLeadsAsync(scope, BatchSize);
                var secrets = await PersonalDataBackfillStore.PlainMfaSecretsAsync(scope, BatchSize);
                if (leads.Count + secrets.Count == 0)
                {
                    return 0;
                }

                keys ??= await keyring.ForTenantAsync(tenantId, cancellationToken);
                foreach (var lead in leads)
                {
                    // Stored normalised already (the lead service and imports normalise; emails are lower-case by a check).
                    var fields = PersonalFields.SealLead(keys, lead.Id, lead.Email?.Trim().ToLowerInvariant(), lead.Phone?.Trim(), lead.Notes,
                        new LeadAddress(lead.PostalCode, lead.State, lead.City, lead.Country));
                    await PersonalDataBackfillStore.SealLeadAsync(scope, lead.Id, fields);
                }

                foreach (var secret in secrets)
                {
                    await PersonalDataBackfillStore.SealMfaSecretAsync(
                        scope, secret.Id, keys.Seal(PersonalFields.UsersTable, PersonalFields.MfaSecret, secret.Id, secret.Secret)!, keys.CurrentVersion);
                }

                return leads.Count + secrets.Count;
            }, cancellationToken);
            if (sealedInBatch == 0)
            {
                return total;
            }

            total += sealedInBatch;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var sealedRows = await RunAsync(stoppingToken);
            if (sealedRows > 0)
            {
                logger.LogInformation("Sealed the personal fields of {Rows} rows left in plain columns", sealedRows);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The plain values stay where they are (nothing reads them) until the next start-up retries.
            logger.LogError(exception, "Sealing plain personal fields failed; the next start-up retries");
        }
    }
}
