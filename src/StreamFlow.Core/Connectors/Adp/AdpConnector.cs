using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connectors.Adp;

/// <summary>
/// ADP Workforce Now (kind <c>adp_workforce_now</c>): workers in as technicians, approved timesheets out as pay data. A
/// sync pages through <c>/hr/v2/workers</c> (page token <c>workers:{skip}</c>): a new active worker becomes a technician,
/// a changed one updates it, a terminated or inactive one deactivates it and a rehired one activates it again. Then it
/// sends each approved timesheet of those technicians not sent before (<c>paydata</c> pages) as one pay-data-input event
/// with its regular and overtime hours under the connection's earning codes; ADP's confirmation is kept in the id map.
/// </summary>
public sealed class AdpConnector(
    AdpClient client, TechnicianService technicians, ConnectorRecords records, StreamFlowDatabase database, IOptions<AdpOptions> options, TimeProvider time) : IConnector
{
    public const string KindName = "adp_workforce_now";
    private const string WorkerEntity = "worker";
    private const string TimesheetEntity = "timesheet";
    private static readonly string[] RequiredCredentials = ["clientId", "clientSecret", "certificate", "privateKey"];

    public string Kind => KindName;

    public JsonElement Validate(JsonElement settings, IReadOnlyDictionary<string, string>? credentials, bool creating, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var stored = new JsonObject();
        foreach (var property in settings.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "homeBase" when value.ValueKind == JsonValueKind.Object && Coordinate(value, "latitude", 90) is { } lat && Coordinate(value, "longitude", 180) is { } lon:
                    stored["homeBase"] = new JsonObject { ["latitude"] = lat, ["longitude"] = lon };
                    break;
                case "homeBase":
                    errors.Add("settings.homeBase", "must be { latitude, longitude } in decimal degrees: where new technicians' days start.");
                    break;
                case "workingHours" when value.ValueKind == JsonValueKind.Object && Clock(value, "start") is { } start && Clock(value, "end") is { } end && end > start:
                    stored["workingHours"] = new JsonObject { ["start"] = Text(value, "start"), ["end"] = Text(value, "end") };
                    break;
                case "workingHours":
                    errors.Add("settings.workingHours", "must be { start, end } as HH:mm with the end after the start.");
                    break;
                case "regularEarningCode" or "overtimeEarningCode" when value.ValueKind == JsonValueKind.String && value.GetString() is { Length: >= 1 and <= 10 } code
                    && code.All(char.IsAsciiLetterOrDigit):
                    stored[property.Name] = code;
                    break;
                case "regularEarningCode" or "overtimeEarningCode":
                    errors.Add($"settings.{property.Name}", "must be an ADP earning code (1 to 10 letters or digits), such as R or O.");
                    break;
                case "currency" when value.ValueKind == JsonValueKind.String && value.GetString() is { Length: 3 } currency && currency.All(char.IsAsciiLetterUpper):
                    stored["currency"] = currency;
                    break;
                case "currency":
                    errors.Add("settings.currency", "must be a three-letter ISO 4217 code such as USD.");
                    break;
                default:
                    errors.Add($"settings.{property.Name}", "is not an ADP setting (homeBase, workingHours, regularEarningCode, overtimeEarningCode, currency).");
                    break;
            }
        }

        if (!settings.TryGetProperty("homeBase", out _))
        {
            errors.Add("settings.homeBase", "is required: { latitude, longitude } where new technicians' days start.");
        }

        foreach (var name in creating ? RequiredCredentials : [])
        {
            if (credentials?.GetValueOrDefault(name) is not { Length: > 0 and <= 20_000 })
            {
                errors.Add($"credentials.{name}", "is required: the client id and secret of the ADP API Central project, and its mutual-TLS certificate and private key (PEM).");
            }
        }

        // A certificate given (new or replaced) must be one TLS can use now: said at once, not at the first sync.
        if (credentials is not null && (credentials.ContainsKey("certificate") || credentials.ContainsKey("privateKey"))
            && credentials.GetValueOrDefault("certificate") is { Length: > 0 } && credentials.GetValueOrDefault("privateKey") is { Length: > 0 })
        {
            try
            {
                AdpClient.Certificate(credentials, time.GetUtcNow()).Dispose();
            }
            catch (ConnectorException failure)
            {
                errors.Add("credentials.certificate", failure.Message);
            }
        }
        else if (!creating && credentials is not null && (credentials.ContainsKey("certificate") || credentials.ContainsKey("privateKey")))
        {
            errors.Add("credentials.certificate", "the certificate and its private key are replaced together.");
        }

        return JsonSerializer.SerializeToElement(stored);
    }

    public async Task<string> TestAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var workers = await ReadWorkersAsync(context, 0, 1, cancellationToken);
        return $"ADP accepted the certificate and credentials; workers can be read{(workers.Count > 0 ? "" : " (none yet)")}.";
    }

    public SyncPlan Plan(ConnectorContext context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new SyncPlan("workers:0", now.ToString("O", CultureInfo.InvariantCulture));
    }

    public Task<ConnectorPage> SyncPageAsync(ConnectorContext context, string page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(page);
        if (page == "paydata")
        {
            return PayDataAsync(context, cancellationToken);
        }

        return page.StartsWith("workers:", StringComparison.Ordinal)
            && int.TryParse(page.AsSpan("workers:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var skip)
            ? WorkersAsync(context, skip, cancellationToken)
            : throw new ConnectorException(ConnectorFailure.InvalidRequest, $"Unknown ADP sync page '{page}'.");
    }

    private async Task<ConnectorPage> WorkersAsync(ConnectorContext context, int skip, CancellationToken cancellationToken)
    {
        var top = Math.Clamp(options.Value.PageSize, 1, 100);
        var listed = await ReadWorkersAsync(context, skip, top, cancellationToken);
        var workers = listed.Select(Worker).ToList();
        var valid = workers.Where(w => w is not null).Select(w => w!).GroupBy(w => w.AssociateOid, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var known = await database.InTenantAsync(context.TenantId, scope => AdpStore.WorkersAsync(scope, context.ConnectionId, valid.Select(w => w.AssociateOid).ToList()),
            cancellationToken);
        int created = 0, updated = 0, skipped = 0, failed = listed.Count - valid.Count;
        foreach (var invalid in workers.Where(w => w is null))
        {
            await records.LogAsync(context, WorkerEntity, null, null, "failed", "ADP sent a worker without an associateOID or a name.", cancellationToken);
        }

        foreach (var worker in valid)
        {
            var outcome = await ApplyWorkerAsync(context, worker, known.GetValueOrDefault(worker.AssociateOid), cancellationToken);
            switch (outcome)
            {
                case "created": created++; break;
                case "updated": updated++; break;
                case "failed": failed++; break;
                default: skipped++; break;
            }
        }

        var next = listed.Count >= top ? $"workers:{(skip + listed.Count).ToString(CultureInfo.InvariantCulture)}" : "paydata";
        return new ConnectorPage(listed.Count, created, updated, skipped, failed, next);
    }

    // Hires create, changes update, terminations deactivate: ADP wins for the fields it sends (docs/connectors.md).
    private async Task<string> ApplyWorkerAsync(ConnectorContext context, AdpWorker worker, AdpWorkerRow? known, CancellationToken cancellationToken)
    {
        var actor = new FieldActor(context.TenantId, Guid.Empty, $"connection:{context.ConnectionId}", CanManage: true, RequestOrigin.None);
        var active = worker.Status is "Active" or "Leave";
        var hash = Hash(worker);
        var record = await records.FindByExternalAsync(context.TenantId, context.ConnectionId, WorkerEntity, worker.AssociateOid, cancellationToken);
        if (known is null || record is null)
        {
            if (!active)
            {
                await records.LogAsync(context, WorkerEntity, null, worker.AssociateOid, "skipped", $"not imported: {worker.Status} in ADP", cancellationToken);
                return "skipped";
            }

            var settings = context.Settings;
            var home = settings.GetProperty("homeBase");
            var hours = settings.TryGetProperty("workingHours", out var configured) ? configured : default;
            var made = await technicians.CreateAsync(actor, new TechnicianInput(null, worker.Name, [], [],
                new Location(home.GetProperty("latitude").GetDouble(), home.GetProperty("longitude").GetDouble()),
                new WorkingHours(hours.ValueKind == JsonValueKind.Object ? Text(hours, "start") : "08:00", hours.ValueKind == JsonValueKind.Object ? Text(hours, "end") : "17:00"),
                Money.Of(0m, settings.TryGetProperty("currency", out var currency) ? currency.GetString()! : "USD"), true), cancellationToken);
            if (!made.Succeeded)
            {
                await records.LogAsync(context, WorkerEntity, null, worker.AssociateOid, "failed", made.Problem!.Detail, cancellationToken);
                return "failed";
            }

            await SaveWorkerAsync(context, worker, made.Value!.Id, hash, "created", "hired in ADP", cancellationToken);
            return "created";
        }

        if (record.PushedHash == hash)
        {
            return "unchanged";
        }

        var changed = await technicians.UpdateAsync(actor, known.TechnicianId,
            new TechnicianInput(null, worker.Name, null, null, null, null, null, active), cancellationToken);
        if (!changed.Succeeded)
        {
            await records.LogAsync(context, WorkerEntity, known.TechnicianId, worker.AssociateOid, "failed", changed.Problem!.Detail, cancellationToken);
            return "failed";
        }

        var reason = !active && known.Status is "Active" or "Leave" ? $"deactivated: {worker.Status} in ADP"
            : active && known.Status is not ("Active" or "Leave") ? "activated again: rehired in ADP"
            : "changed in ADP";
        await SaveWorkerAsync(context, worker, known.TechnicianId, hash, "updated", reason, cancellationToken);
        return "updated";
    }

    private async Task SaveWorkerAsync(ConnectorContext context, AdpWorker worker, Guid technicianId, string hash, string action, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await database.InTenantAsync(context.TenantId, async scope =>
        {
            await AdpStore.UpsertWorkerAsync(scope, context.TenantId, context.ConnectionId, new AdpWorkerRow(worker.AssociateOid, technicianId, worker.Name, worker.WorkEmail,
                worker.JobTitle, worker.Status, worker.HiredOn, worker.TerminatedOn, worker.PayrollGroupCode, worker.PayrollFileNumber), now);
            return true;
        }, cancellationToken);
        await records.SaveAsync(context, new ConnectorRecord(WorkerEntity, technicianId, worker.AssociateOid, null, hash, worker.Status, null, null, now, now),
            action, reason, cancellationToken);
    }

    // Pay data goes out at most once per timesheet: claimed before it is sent, confirmed after. A send that got no answer
    // at all keeps its claim (ADP may have recorded it) and is reported as a conflict on every sync until resolved in ADP.
    private async Task<ConnectorPage> PayDataAsync(ConnectorContext context, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var unconfirmed = await database.InTenantAsync(context.TenantId, scope => AdpStore.UnconfirmedAsync(scope, context.ConnectionId, started, 100), cancellationToken);
        foreach (var timesheet in unconfirmed)
        {
            await records.LogAsync(context, TimesheetEntity, timesheet, null, "conflict",
                "pay data was sent but ADP's answer was lost: check the pay data batch in ADP; it is not sent again", cancellationToken);
        }

        var limit = Math.Max(1, options.Value.PayDataPerPage);
        var payable = await database.InTenantAsync(context.TenantId, scope => AdpStore.PayableAsync(scope, context.ConnectionId, limit), cancellationToken);
        int created = 0, skipped = 0, failed = 0;
        foreach (var sheet in payable)
        {
            var outcome = await SendTimesheetAsync(context, sheet, cancellationToken);
            switch (outcome)
            {
                case "created": created++; break;
                case "failed": failed++; break;
                default: skipped++; break;
            }
        }

        return new ConnectorPage(payable.Count, created, 0, skipped + unconfirmed.Count, failed, payable.Count >= limit && created + skipped > 0 ? "paydata" : null);
    }

    private async Task<string> SendTimesheetAsync(ConnectorContext context, AdpPayableTimesheet sheet, CancellationToken cancellationToken)
    {
        var hours = sheet.RegularHours + sheet.OvertimeHours;
        var claimed = await database.InTenantAsync(context.TenantId,
            scope => AdpStore.ClaimAsync(scope, context.TenantId, context.ConnectionId, sheet.Id, hours, time.GetUtcNow()), cancellationToken);
        if (!claimed)
        {
            return "skipped";
        }

        if (sheet.PayrollGroupCode is null || sheet.PayrollFileNumber is null)
        {
            await ReleaseAsync(context, sheet.Id, cancellationToken);
            await records.LogAsync(context, TimesheetEntity, sheet.Id, sheet.AssociateOid, "failed",
                "the worker has no payroll group code or file number in ADP; pay data cannot be addressed", cancellationToken);
            return "failed";
        }

        string confirmation;
        try
        {
            confirmation = await client.SendPayDataAsync(context, PayData(context.Settings, sheet), cancellationToken);
        }
        catch (AdpNoAnswerException)
        {
            await records.LogAsync(context, TimesheetEntity, sheet.Id, sheet.AssociateOid, "conflict",
                "ADP did not answer the pay data: it may or may not have recorded it; check the pay data batch in ADP; it is not sent again", cancellationToken);
            return "failed";
        }
        catch (ConnectorException failure) when (failure.Failure == ConnectorFailure.InvalidRequest)
        {
            // ADP refused this payee's data (a validation message): nothing was recorded; the next sync tries again.
            await ReleaseAsync(context, sheet.Id, cancellationToken);
            await records.LogAsync(context, TimesheetEntity, sheet.Id, sheet.AssociateOid, "failed", failure.Message, cancellationToken);
            return "failed";
        }
        catch (ConnectorException)
        {
            // Throttled, refused credentials, 5xx: ADP answered and recorded nothing; the page runs again after the wait.
            await ReleaseAsync(context, sheet.Id, cancellationToken);
            throw;
        }

        var now = time.GetUtcNow();
        await records.SaveAsync(context, new ConnectorRecord(TimesheetEntity, sheet.Id, confirmation, null, null, "confirmed", hours, null, now, now), "created",
            $"pay data for {sheet.PeriodStart:yyyy-MM-dd}..{sheet.PeriodEnd:yyyy-MM-dd}: {sheet.RegularHours.ToString(CultureInfo.InvariantCulture)} regular, "
            + $"{sheet.OvertimeHours.ToString(CultureInfo.InvariantCulture)} overtime hours", cancellationToken);
        return "created";
    }

    private Task ReleaseAsync(ConnectorContext context, Guid timesheetId, CancellationToken cancellationToken) =>
        database.InTenantAsync(context.TenantId, async scope =>
        {
            await AdpStore.ReleaseAsync(scope, context.ConnectionId, timesheetId);
            return true;
        }, cancellationToken);

    /// <summary>One pay-data-input event for one payee: the timesheet's hours by earning code for its pay period.</summary>
    internal static JsonObject PayData(JsonElement settings, AdpPayableTimesheet sheet)
    {
        // The worker's own codes win over the connection's, which win over ADP's usual R and O.
        var regular = sheet.RegularEarningCode ?? (settings.TryGetProperty("regularEarningCode", out var r) ? r.GetString()! : "R");
        var overtime = sheet.OvertimeEarningCode ?? (settings.TryGetProperty("overtimeEarningCode", out var o) ? o.GetString()! : "O");
        var earnings = new JsonArray();
        foreach (var (code, hours) in new[] { (regular, sheet.RegularHours), (overtime, sheet.OvertimeHours) })
        {
            if (hours > 0)
            {
                earnings.Add(new JsonObject { ["earningCode"] = new JsonObject { ["codeValue"] = code }, ["numberOfHours"] = hours });
            }
        }

        return new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["data"] = new JsonObject
                {
                    ["eventContext"] = new JsonObject { ["payrollGroupCode"] = new JsonObject { ["codeValue"] = sheet.PayrollGroupCode } },
                    ["transform"] = new JsonObject
                    {
                        ["payDataInput"] = new JsonObject
                        {
                            ["payeePayInputs"] = new JsonArray(new JsonObject
                            {
                                ["associateOID"] = sheet.AssociateOid,
                                ["payrollFileNumber"] = sheet.PayrollFileNumber,
                                ["payNumber"] = "1",
                                ["payPeriod"] = new JsonObject
                                {
                                    ["startDate"] = sheet.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                                    ["endDate"] = sheet.PeriodEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                                },
                                ["payrollProfilePayInputs"] = new JsonArray(new JsonObject
                                {
                                    ["payInputs"] = new JsonArray(new JsonObject
                                    {
                                        ["_modificationTypeCode"] = "Add",
                                        ["earningInputs"] = earnings,
                                    }),
                                }),
                            }),
                        },
                    },
                },
            }),
        };
    }

    private async Task<IReadOnlyList<JsonElement>> ReadWorkersAsync(ConnectorContext context, int skip, int top, CancellationToken cancellationToken)
    {
        try
        {
            return await client.WorkersAsync(context, skip, top, cancellationToken);
        }
        catch (AdpNoAnswerException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, exception.Message, inner: exception);
        }
    }

    internal sealed record AdpWorker(
        string AssociateOid, string Name, string? WorkEmail, string? JobTitle, string Status, DateOnly? HiredOn, DateOnly? TerminatedOn,
        string? PayrollGroupCode, string? PayrollFileNumber);

    /// <summary>The fields StreamFlow takes from an ADP worker; null when it has no associateOID or no name.</summary>
    internal static AdpWorker? Worker(JsonElement worker)
    {
        if (worker.ValueKind != JsonValueKind.Object || Text(worker, "associateOID") is not { Length: > 0 and <= 100 } oid)
        {
            return null;
        }

        var legal = Path(worker, "person", "legalName");
        var name = Text(legal, "formattedName") is { Length: > 0 } formatted
            ? formatted
            : string.Join(' ', new[] { Text(legal, "givenName"), Text(legal, "familyName1") }.Where(p => !string.IsNullOrWhiteSpace(p)));
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var assignments = worker.TryGetProperty("workAssignments", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];
        var primary = assignments.FirstOrDefault(a => a.TryGetProperty("primaryIndicator", out var p) && p.ValueKind == JsonValueKind.True);
        if (primary.ValueKind != JsonValueKind.Object)
        {
            primary = assignments.FirstOrDefault();
        }

        var emails = Path(worker, "businessCommunication");
        var email = emails.ValueKind == JsonValueKind.Object && emails.TryGetProperty("emails", out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(x => Text(x, "emailUri")).FirstOrDefault(x => x is { Length: > 0 })
            : null;
        var title = Text(primary, "jobTitle") ?? Text(Path(primary, "jobCode"), "longName") ?? Text(Path(primary, "jobCode"), "shortName");
        var status = Text(Path(worker, "workerStatus", "statusCode"), "codeValue") ?? "Active";
        var dates = Path(worker, "workerDates");
        return new AdpWorker(oid, Clip(name.Trim(), 200)!, Clip(email, 320), Clip(title, 200), Clip(status, 40)!,
            Date(Text(dates, "rehireDate") ?? Text(dates, "originalHireDate")), Date(Text(dates, "terminationDate")),
            Clip(Text(primary, "payrollGroupCode"), 20), Clip(Text(primary, "payrollFileNumber"), 20));
    }

    private static string Hash(AdpWorker worker) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(worker))))[..40];

    private static JsonElement Path(JsonElement element, params string[] names)
    {
        foreach (var name in names)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return default;
            }
        }

        return element;
    }

    private static string? Text(JsonElement record, string name) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateOnly? Date(string? text) =>
        text is not null && DateOnly.TryParseExact(text.Length > 10 ? text[..10] : text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static double? Coordinate(JsonElement value, string name, double limit) =>
        value.TryGetProperty(name, out var number) && number.ValueKind == JsonValueKind.Number && number.GetDouble() is var d && Math.Abs(d) <= limit ? d : null;

    private static int? Clock(JsonElement value, string name) =>
        Text(value, name) is { } text && TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t.Hour * 60 + t.Minute : null;

    private static string? Clip(string? text, int length) => text is { } value && value.Length > length ? value[..length] : text;
}
