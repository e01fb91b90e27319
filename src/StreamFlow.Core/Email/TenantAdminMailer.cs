using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Email;

/// <summary>Emails a client business's active owners and admins (read inside its RLS transaction).</summary>
public sealed class TenantAdminMailer(StreamFlowDatabase database, EmailSender email, ILogger<TenantAdminMailer> logger)
{
    public async Task<int> SendAsync(Guid tenantId, string subject, string body, CancellationToken cancellationToken)
    {
        var admins = await database.InTenantAsync(tenantId,
            TenantAdminStore.EmailsAsync, cancellationToken);
        var sent = 0;
        foreach (var admin in admins)
        {
            try
            {
                await email.SendAsync(new EmailMessage(admin, subject, body, BrandTenantId: tenantId), cancellationToken);
                sent++;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Could not email a tenant admin of {TenantId} about {Subject}", tenantId, subject);
            }
        }

        return sent;
    }
}
