using StreamFlow.Core.Connections;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connectors.Adp;

/// <summary>A worker's earning codes for pay data: <c>null</c> clears one back to the connection's default.</summary>
public sealed record AdpEarningCodesInput(string? RegularEarningCode, string? OvertimeEarningCode);

/// <summary>The codes a worker's hours go out under, and whether each is the worker's own or the connection's.</summary>
public sealed record AdpWorkerEarningCodes(string AssociateOid, string RegularEarningCode, string OvertimeEarningCode, bool RegularOverridden, bool OvertimeOverridden);

/// <summary>How a person settles a timesheet whose pay data got no answer: <c>paid_elsewhere</c> (ADP has it) or <c>resend</c>.</summary>
public sealed record AdpPayDataResolution(string? Resolution, string? Confirmation);

/// <summary>A timesheet's pay data at ADP after a resolution: <c>paid_elsewhere</c>, or <c>pending</c> (the next sync sends it).</summary>
public sealed record AdpPayDataState(Guid TimesheetId, string Status, string? Confirmation);

/// <summary>
/// What people decide for an ADP connection (docs/connectors.md): each worker's earning codes, and the pay-data
/// conflicts a lost answer leaves (the connector never resends them on its own: paying twice is worse than once late).
/// </summary>
public sealed class AdpPayroll(StreamFlowDatabase database, ConnectionService connections, TimeProvider time)
{
    /// <summary>A claim younger than this may still be in flight in a running sync; it is not a conflict yet.</summary>
    public static readonly TimeSpan InFlight = TimeSpan.FromMinutes(10);

    public async Task<Result<AdpWorkerEarningCodes>> SetEarningCodesAsync(
        Guid tenantId, Guid connectionId, string associateOid, AdpEarningCodesInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new ValidationErrors();
        foreach (var (name, code) in new[] { ("regularEarningCode", input.RegularEarningCode), ("overtimeEarningCode", input.OvertimeEarningCode) })
        {
            if (code is not null && (code.Length is < 1 or > 10 || !code.All(char.IsAsciiLetterOrDigit)))
            {
                errors.Add(name, "must be an ADP earning code (1 to 10 letters or digits), or null for the connection's default.");
            }
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var connection = await AdpConnectionAsync(tenantId, connectionId, cancellationToken);
        if (!connection.Succeeded)
        {
            return connection.Problem;
        }

        var stored = await database.InTenantAsync(tenantId, scope =>
            AdpStore.SetEarningCodesAsync(scope, connectionId, associateOid, input.RegularEarningCode, input.OvertimeEarningCode, time.GetUtcNow()), cancellationToken);
        if (stored is null)
        {
            return Problem.NotFound("The worker");
        }

        var settings = connection.Value.Settings;
        var regular = settings.TryGetProperty("regularEarningCode", out var r) ? r.GetString()! : "R";
        var overtime = settings.TryGetProperty("overtimeEarningCode", out var o) ? o.GetString()! : "O";
        return new AdpWorkerEarningCodes(associateOid, stored.RegularEarningCode ?? regular, stored.OvertimeEarningCode ?? overtime,
            stored.RegularEarningCode is not null, stored.OvertimeEarningCode is not null);
    }

    /// <summary>
    /// Settles a timesheet whose pay data was sent without an answer: <c>paid_elsewhere</c> records that ADP has it (with
    /// ADP's confirmation when known) and it is never sent; <c>resend</c> releases the claim so the next sync sends it.
    /// Only a claim in that state and older than <see cref="InFlight"/> can be settled (409 otherwise).
    /// </summary>
    public async Task<Result<AdpPayDataState>> ResolveAsync(
        Guid tenantId, Guid connectionId, Guid timesheetId, AdpPayDataResolution input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new ValidationErrors();
        if (input.Resolution is not ("paid_elsewhere" or "resend"))
        {
            errors.Add("resolution", "must be paid_elsewhere (ADP recorded the hours; never send them) or resend (ADP did not; the next sync sends them).");
        }

        if (input.Confirmation is { } confirmation && (confirmation.Length is < 1 or > 150 || confirmation.Any(char.IsControl)))
        {
            errors.Add("confirmation", "is ADP's confirmation or batch reference, 1 to 150 characters.");
        }
        else if (input.Confirmation is not null && input.Resolution == "resend")
        {
            errors.Add("confirmation", "goes with paid_elsewhere only.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var connection = await AdpConnectionAsync(tenantId, connectionId, cancellationToken);
        if (!connection.Succeeded)
        {
            return connection.Problem;
        }

        var now = time.GetUtcNow();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            var claim = await AdpStore.LockClaimAsync(scope, connectionId, timesheetId);
            if (claim is null)
            {
                return (Result<AdpPayDataState>)Problem.NotFound("The timesheet's pay data");
            }

            if (claim.RemoteStatus != "sending")
            {
                return Problem.Conflict($"The timesheet's pay data is {claim.RemoteStatus}, not a lost answer: there is nothing to resolve.");
            }

            if (claim.UpdatedAt > now - InFlight)
            {
                return Problem.Conflict("The timesheet's pay data is being sent right now; resolve it once the sync has finished.");
            }

            if (input.Resolution == "resend")
            {
                await AdpStore.ReleaseAsync(scope, connectionId, timesheetId);
                return new AdpPayDataState(timesheetId, "pending", null);
            }

            var reference = input.Confirmation ?? $"paid-elsewhere:{timesheetId:N}";
            await AdpStore.SettleAsync(scope, connectionId, timesheetId, reference, now);
            return new AdpPayDataState(timesheetId, "paid_elsewhere", reference);
        }, cancellationToken);
    }

    private async Task<Result<ConnectionView>> AdpConnectionAsync(Guid tenantId, Guid connectionId, CancellationToken cancellationToken)
    {
        var connection = await connections.GetAsync(tenantId, connectionId, cancellationToken);
        return !connection.Succeeded ? connection.Problem
            : connection.Value.Kind != AdpConnector.KindName ? Problem.NotFound("The ADP connection")
            : connection;
    }
}
