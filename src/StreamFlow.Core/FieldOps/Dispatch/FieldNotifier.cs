using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.FieldOps.Technicians;

namespace StreamFlow.Core.FieldOps.Dispatch;

/// <summary>A punch accepted outside its job's geofence, as the office hears of it.</summary>
public sealed record FlaggedPunch(Guid PunchId, string Kind, DateTimeOffset DeviceTime, Guid? VisitId, double? DistanceMetres);

/// <summary>
/// Tells people about field changes by email, through the existing email path: a technician of the visits a re-plan
/// moved (at the address of the user they sign in as; a technician without one is told nothing), and the office
/// (the business's owners and admins) of punches flagged outside a geofence.
/// </summary>
public sealed class FieldNotifier(StreamFlowDatabase database, EmailSender email, EmailOutbox emailOutbox, TenantAdminMailer admins, ILogger<FieldNotifier> logger)
{
    /// <summary>Mails the technician what the re-plan changed for them; false when they have no address to mail. Mail errors propagate (the activity retries).</summary>
    public async Task<bool> NotifyTechnicianAsync(Guid tenantId, TechnicianChanges changes, CancellationToken cancellationToken)
    {
        var (address, name, zone) = await database.InTenantAsync(tenantId, async scope =>
        {
            var contact = await TechnicianStore.ContactAsync(scope, changes.TechnicianId);
            var (_, timeZone) = await FieldOpsSettingsStore.ReadAsync(scope);
            return (contact?.Email, contact?.Name, timeZone);
        }, cancellationToken);
        if (address is null)
        {
            logger.LogInformation("Technician {TechnicianId} of {TenantId} has no sign-in address; the re-plan is not mailed", changes.TechnicianId, tenantId);
            return false;
        }

        string Clock(DateTimeOffset? instant) =>
            instant is { } at ? TimeZones.Local(at, zone).ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture) : "no set time";
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Hello {name},\n\nYour day was re-planned ({Describe(changes.Reason)}).\n\n");
        foreach (var change in changes.Changes)
        {
            if (change.ToTechnicianId == changes.TechnicianId && change.FromTechnicianId == changes.TechnicianId)
            {
                body.Append(CultureInfo.InvariantCulture, $"- {change.Address}: now {Clock(change.ToStart)} (was {Clock(change.FromStart)}).\n");
            }
            else if (change.ToTechnicianId == changes.TechnicianId)
            {
                body.Append(CultureInfo.InvariantCulture, $"- {change.Address}: added to your day at {Clock(change.ToStart)}.\n");
            }
            else
            {
                body.Append(CultureInfo.InvariantCulture, $"- {change.Address}: taken off your day (was {Clock(change.FromStart)}).\n");
            }
        }

        if (changes.Changes.Count == 0)
        {
            body.Append("None of your other visits moved.\n");
        }

        body.Append("\nOpen the app for your updated route.\n");
        await email.SendAsync(new EmailMessage(address, "Your schedule changed", body.ToString(), BrandTenantId: tenantId), cancellationToken);
        return true;
    }

    /// <summary>Queues a mail to the office about punches accepted outside their geofence; the punch upload does not wait for it.</summary>
    public void TellOfficeOfFlaggedPunches(Guid tenantId, string technicianName, IReadOnlyList<FlaggedPunch> punches)
    {
        if (punches.Count == 0)
        {
            return;
        }

        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{technicianName} punched outside the job site's geofence:\n\n");
        foreach (var punch in punches)
        {
            body.Append(CultureInfo.InvariantCulture,
                $"- {punch.Kind} at {punch.DeviceTime:yyyy-MM-dd HH:mm} UTC, {(punch.DistanceMetres is { } metres ? $"{metres:0} m from the site" : "distance unknown")}{(punch.VisitId is { } visit ? $" (visit {visit})" : "")}.\n");
        }

        body.Append("\nThe punches were accepted and flagged; check them before approving the timesheet.\n");
        var text = body.ToString();
        emailOutbox.Enqueue(async cancellationToken =>
        {
            await admins.SendAsync(tenantId, $"Punch outside the geofence: {technicianName}", text, cancellationToken);
            return null;
        });
    }

    private static string Describe(string reason) => reason switch
    {
        "cancelled" => "a visit was cancelled",
        "late" => "a visit is running late",
        "time_off" => "time off was recorded",
        _ => "a visit was added",
    };
}
