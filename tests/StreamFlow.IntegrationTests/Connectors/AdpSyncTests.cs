using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connectors.Adp;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.IntegrationTests.Connections;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>
/// ADP Workforce Now end to end over mutual TLS: a fake of the documented API that refuses any connection without the
/// tenant's client certificate, the real sync orchestration and database.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class AdpSyncTests(TestServices services) : IAsyncLifetime
{
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate = AdpFake.SelfSigned("CN=Contractor payroll, O=StreamFlow test");
    private AdpFake _adp = null!;
    private ConnectionTestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _adp = new AdpFake(_certificate, [AdpFake.Worker("G3AAA0001", "Dana", "Ortiz"), AdpFake.Worker("G3AAA0002", "Sam", "Reyes", title: "Lead Installer"),
            AdpFake.Worker("G3AAA0003", "Lee", "Park"), AdpFake.Worker("G3AAA0004", "Old", "Hand", status: "Terminated")]);
        _bed = await ConnectionTestBed.StartAsync(services, "http://127.0.0.1:9", settings: new Dictionary<string, string?>
        {
            ["Connectors:Adp:BaseUrl"] = _adp.Url,
            ["Connectors:Adp:TokenUrl"] = $"{_adp.Url}/auth/oauth/v2/token",
            ["Connectors:Adp:PageSize"] = "2",
            ["Connectors:Adp:PinnedServerCertificateSha256"] = _adp.ServerSha256,
        });
    }

    [Fact]
    public async Task Workers_come_in_as_technicians_over_mutual_TLS_and_a_termination_deactivates_one()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);

        var first = await _bed.SyncAsync(tenant, connection.Id);
        _adp.Put(AdpFake.Worker("G3AAA0002", "Sam", "Reyes", status: "Terminated", title: "Lead Installer"));
        var second = await _bed.SyncAsync(tenant, connection.Id);
        var third = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 4, 3, 1), (first.Status, first.ItemsSeen, first.LeadsCreated, first.ItemsSkipped));
        Assert.Equal(("completed", 0, 1), (second.Status, second.LeadsCreated, second.LeadsUpdated));
        Assert.Equal((0, 0), (third.LeadsCreated, third.LeadsUpdated));
        Assert.Equal(0, _adp.RequestsWithoutTheCertificate);
        var rows = (await QueryAsync<(string Name, bool Active, string? WorkEmail, string? JobTitle, string Status, string? FileNumber)>(tenant, """
            SELECT t.name, t.active, w.work_email, w.job_title, w.status, w.payroll_file_number
            FROM adp_workers w JOIN technicians t ON t.id = w.technician_id ORDER BY w.associate_oid
            """)).ToList();
        Assert.Equal([("Dana Ortiz", true, "dana@work.example.com", "Service Technician", "Active", "1001"),
            ("Sam Reyes", false, "sam@work.example.com", "Lead Installer", "Terminated", "1002"),
            ("Lee Park", true, "lee@work.example.com", "Service Technician", "Active", "1003")], rows);
        var log = await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, second.Id.ToString(), 50, null, default);
        Assert.Equal("deactivated: Terminated in ADP", Assert.Single(log.Value!.Items, e => e.Action == "updated").Reason);
        Assert.Equal("not imported: Terminated in ADP", Assert.Single(log.Value.Items, e => e.Action == "skipped").Reason);
    }

    [Fact]
    public async Task Approved_timesheets_go_out_once_as_pay_data_by_earning_code_with_the_confirmation_kept()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant, new { homeBase = new { latitude = 30.27, longitude = -97.74 }, overtimeEarningCode = "OT" });
        await _bed.SyncAsync(tenant, connection.Id);
        var dana = await TechnicianOfAsync(tenant, "G3AAA0001");
        var lee = await TechnicianOfAsync(tenant, "G3AAA0003");
        var approved = await TimesheetAsync(tenant, dana, "approved", 40m, 6.5m);
        await TimesheetAsync(tenant, lee, "draft", 32m, 0m);

        var sync = await _bed.SyncAsync(tenant, connection.Id);
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(1, sync.LeadsCreated);
        Assert.Equal(0, again.LeadsCreated);
        var sent = Assert.Single(_adp.PayDataReceived);
        var payee = sent["events"]![0]!["data"]!["transform"]!["payDataInput"]!["payeePayInputs"]![0]!;
        Assert.Equal(("G3AAA0001", "1001"), (payee["associateOID"]!.GetValue<string>(), payee["payrollFileNumber"]!.GetValue<string>()));
        Assert.Equal("94N", sent["events"]![0]!["data"]!["eventContext"]!["payrollGroupCode"]!["codeValue"]!.GetValue<string>());
        var earnings = payee["payrollProfilePayInputs"]![0]!["payInputs"]![0]!["earningInputs"]!.AsArray()
            .Select(e => (e!["earningCode"]!["codeValue"]!.GetValue<string>(), e["numberOfHours"]!.GetValue<decimal>())).ToList();
        Assert.Equal([("R", 40m), ("OT", 6.5m)], earnings);
        var record = Assert.Single((await _bed.Get<ConnectorRecords>().ListAsync(tenant, connection.Id, "timesheet", 10, null, default)).Value!.Items);
        Assert.Equal((approved, "confirmed", 46.5m), (record.LocalId, record.RemoteStatus, record.RemoteAmount));
        Assert.StartsWith("req-", record.ExternalId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workers_own_earning_codes_win_over_the_connections_and_a_bad_code_names_its_field()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant, new { homeBase = new { latitude = 30.27, longitude = -97.74 }, overtimeEarningCode = "OT" });
        await _bed.SyncAsync(tenant, connection.Id);
        var payroll = _bed.Get<AdpPayroll>();
        var dana = await payroll.SetEarningCodesAsync(tenant, connection.Id, "G3AAA0001", new AdpEarningCodesInput("SAL", null), default);
        var lee = await payroll.SetEarningCodesAsync(tenant, connection.Id, "G3AAA0003", new AdpEarningCodesInput(null, "O2"), default);
        var bad = await payroll.SetEarningCodesAsync(tenant, connection.Id, "G3AAA0001", new AdpEarningCodesInput("no good!", null), default);
        var nobody = await payroll.SetEarningCodesAsync(tenant, connection.Id, "G3ZZZ9999", new AdpEarningCodesInput("R", null), default);
        await TimesheetAsync(tenant, await TechnicianOfAsync(tenant, "G3AAA0001"), "approved", 40m, 6.5m);
        await TimesheetAsync(tenant, await TechnicianOfAsync(tenant, "G3AAA0003"), "approved", 32m, 2m);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(new AdpWorkerEarningCodes("G3AAA0001", "SAL", "OT", true, false), dana.Value);
        Assert.Equal(new AdpWorkerEarningCodes("G3AAA0003", "R", "O2", false, true), lee.Value);
        Assert.True(bad.Problem!.Errors!.ContainsKey("regularEarningCode"));
        Assert.Equal(ProblemKind.NotFound, nobody.Problem!.Kind);
        Assert.Equal(2, sync.LeadsCreated);
        var byWorker = _adp.PayDataReceived.Select(p => p["events"]![0]!["data"]!["transform"]!["payDataInput"]!["payeePayInputs"]![0]!).ToDictionary(
            payee => payee["associateOID"]!.GetValue<string>(),
            payee => payee["payrollProfilePayInputs"]![0]!["payInputs"]![0]!["earningInputs"]!.AsArray()
                .Select(e => (e!["earningCode"]!["codeValue"]!.GetValue<string>(), e["numberOfHours"]!.GetValue<decimal>())).ToList());
        Assert.Equal([("SAL", 40m), ("OT", 6.5m)], byWorker["G3AAA0001"]);
        Assert.Equal([("R", 32m), ("O2", 2m)], byWorker["G3AAA0003"]);
    }

    [Fact]
    public async Task A_lost_pay_data_answer_is_settled_by_a_person_as_paid_elsewhere_or_resent_once()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        var paidThere = await TimesheetAsync(tenant, await TechnicianOfAsync(tenant, "G3AAA0001"), "approved", 40m, 0m);
        var notThere = await TimesheetAsync(tenant, await TechnicianOfAsync(tenant, "G3AAA0003"), "approved", 36m, 0m);
        var inFlight = await TimesheetAsync(tenant, await TechnicianOfAsync(tenant, "G3AAA0002"), "approved", 20m, 0m);
        // What a send without an answer leaves: the claim, kept (ADP may have recorded the hours).
        await ClaimAsync(tenant, connection.Id, paidThere, TimeSpan.FromHours(2));
        await ClaimAsync(tenant, connection.Id, notThere, TimeSpan.FromHours(2));
        await ClaimAsync(tenant, connection.Id, inFlight, TimeSpan.FromMinutes(1));
        var conflicted = await _bed.SyncAsync(tenant, connection.Id);
        var payroll = _bed.Get<AdpPayroll>();

        var settled = await payroll.ResolveAsync(tenant, connection.Id, paidThere, new AdpPayDataResolution("paid_elsewhere", "batch-7781"), default);
        var resend = await payroll.ResolveAsync(tenant, connection.Id, notThere, new AdpPayDataResolution("resend", null), default);
        var tooSoon = await payroll.ResolveAsync(tenant, connection.Id, inFlight, new AdpPayDataResolution("resend", null), default);
        var twice = await payroll.ResolveAsync(tenant, connection.Id, paidThere, new AdpPayDataResolution("resend", null), default);
        var unknown = await payroll.ResolveAsync(tenant, connection.Id, notThere, new AdpPayDataResolution("forget", null), default);
        var after = await _bed.SyncAsync(tenant, connection.Id);
        var last = await _bed.SyncAsync(tenant, connection.Id);

        var conflicts = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, conflicted.Id.ToString(), 50, null, default)).Value!.Items;
        Assert.Equal(3, conflicts.Count(e => e.Action == "conflict"));
        Assert.Equal(new AdpPayDataState(paidThere, "paid_elsewhere", "batch-7781"), settled.Value);
        Assert.Equal(new AdpPayDataState(notThere, "pending", null), resend.Value);
        Assert.Equal(ProblemKind.Conflict, tooSoon.Problem!.Kind);
        Assert.Equal(ProblemKind.Conflict, twice.Problem!.Kind);
        Assert.True(unknown.Problem!.Errors!.ContainsKey("resolution"));
        var sent = Assert.Single(_adp.PayDataReceived);
        Assert.Equal("G3AAA0003", sent["events"]![0]!["data"]!["transform"]!["payDataInput"]!["payeePayInputs"]![0]!["associateOID"]!.GetValue<string>());
        Assert.Equal(1, after.LeadsCreated);
        var afterLog = (await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, after.Id.ToString(), 50, null, default)).Value!.Items;
        Assert.DoesNotContain(afterLog, e => e.Action == "conflict" && e.LocalId != inFlight);
        Assert.Equal(0, last.LeadsCreated);
        var paid = (await _bed.Get<ConnectorRecords>().FindAsync(tenant, connection.Id, "timesheet", paidThere, default))!;
        Assert.Equal(("paid_elsewhere", "batch-7781"), (paid.RemoteStatus, paid.ExternalId));
    }

    [Fact]
    public async Task Pay_data_ADP_refuses_is_logged_with_its_message_and_sent_by_the_next_sync()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await CreateAsync(tenant);
        await _bed.SyncAsync(tenant, connection.Id);
        await TimesheetAsync(tenant, await TechnicianOfAsync(tenant, "G3AAA0003"), "approved", 38m, 0m);
        _adp.RefuseNextPayData();

        var refused = await _bed.SyncAsync(tenant, connection.Id);
        var next = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, 0), (refused.Status, refused.ItemsFailed, refused.LeadsCreated));
        var log = await _bed.Get<ConnectorRecords>().LogPageAsync(tenant, connection.Id, refused.Id.ToString(), 50, null, default);
        Assert.Contains("Payroll Group Code 94N is not open for input", Assert.Single(log.Value!.Items, e => e.Entity == "timesheet").Reason, StringComparison.Ordinal);
        Assert.Equal(1, next.LeadsCreated);
        Assert.Single(_adp.PayDataReceived);
    }

    [Fact]
    public async Task A_certificate_that_is_not_PEM_or_has_expired_is_refused_when_the_connection_is_created()
    {
        var tenant = await _bed.CreateTenantAsync();
        using var expired = Expired();
        var (expiredPem, expiredKey) = AdpFake.Pem(expired);

        var garbled = await CreateRawAsync(tenant, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----", AdpFake.Pem(_certificate).PrivateKey);
        var old = await CreateRawAsync(tenant, expiredPem, expiredKey);

        Assert.Contains("not valid PEM", garbled.Problem!.Errors!["credentials.certificate"].Single(), StringComparison.Ordinal);
        Assert.Contains("not valid now", old.Problem!.Errors!["credentials.certificate"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_client_credentials_break_the_connection_without_touching_technicians()
    {
        var tenant = await _bed.CreateTenantAsync();
        var (pem, key) = AdpFake.Pem(_certificate);
        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection(AdpConnectorKind, "Payroll", JsonSerializer.SerializeToElement(Settings()),
            new Dictionary<string, string> { ["clientId"] = AdpFake.ClientId, ["clientSecret"] = "wrong", ["certificate"] = pem, ["privateKey"] = key }, "daily", true), default);

        var sync = await _bed.SyncAsync(tenant, created.Value!.Id);

        Assert.Equal(("failed", "unauthorized"), (sync.Status, sync.ErrorKind));
        Assert.Equal("broken", (await _bed.Connections.GetAsync(tenant, created.Value.Id, default)).Value!.Health);
        Assert.Equal(0, (await QueryAsync<int>(tenant, "SELECT count(*)::int FROM technicians")).Single());
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _adp.Dispose();
        _certificate.Dispose();
    }

    private const string AdpConnectorKind = "adp_workforce_now";

    private static object Settings() => new { homeBase = new { latitude = 30.27, longitude = -97.74 }, workingHours = new { start = "07:30", end = "16:00" } };

    private async Task<ConnectionView> CreateAsync(Guid tenant, object? settings = null)
    {
        var (pem, key) = AdpFake.Pem(_certificate);
        var created = await _bed.Connections.CreateAsync(tenant, new CreateConnection(AdpConnectorKind, "Payroll", JsonSerializer.SerializeToElement(settings ?? Settings()),
            new Dictionary<string, string> { ["clientId"] = AdpFake.ClientId, ["clientSecret"] = AdpFake.ClientSecret, ["certificate"] = pem, ["privateKey"] = key },
            "daily", true), default);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value!;
    }

    private Task<StreamFlow.Core.Kernel.Result<ConnectionView>> CreateRawAsync(Guid tenant, string certificate, string key) =>
        _bed.Connections.CreateAsync(tenant, new CreateConnection(AdpConnectorKind, "Payroll", JsonSerializer.SerializeToElement(Settings()),
            new Dictionary<string, string> { ["clientId"] = AdpFake.ClientId, ["clientSecret"] = AdpFake.ClientSecret, ["certificate"] = certificate, ["privateKey"] = key },
            "daily", true), default);

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Expired()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=expired", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddDays(-1));
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    private Task<Guid> TechnicianOfAsync(Guid tenant, string oid) =>
        _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<Guid>(scope.Command(
            "SELECT technician_id FROM adp_workers WHERE associate_oid = @Oid", new { Oid = oid })), default);

    private Task<Guid> TimesheetAsync(Guid tenant, Guid technician, string status, decimal regular, decimal overtime) =>
        _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, async scope =>
        {
            var id = Guid.CreateVersion7();
            await scope.Connection.ExecuteAsync(scope.Command("""
                INSERT INTO timesheets (id, tenant_id, technician_id, period_start, period_end, status, days, regular_hours, overtime_hours,
                                        approved_by, approved_at, created_at, updated_at)
                VALUES (@Id, @Tenant, @Technician, DATE '2026-11-23', DATE '2026-11-29', @Status, '[]'::jsonb, @Regular, @Overtime,
                        CASE WHEN @Status = 'approved' THEN 'user:manager' END, CASE WHEN @Status = 'approved' THEN now() END, now(), now())
                """, new { Id = id, Tenant = tenant, Technician = technician, Status = status, Regular = regular, Overtime = overtime }));
            return id;
        }, default);

    private Task ClaimAsync(Guid tenant, Guid connection, Guid timesheet, TimeSpan age) =>
        _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO connector_records (tenant_id, connection_id, entity, local_id, external_id, remote_status, created_at, updated_at)
            VALUES (@Tenant, @Connection, 'timesheet', @Timesheet, 'pending:' || replace(@Timesheet::text, '-', ''), 'sending', now() - @Age, now() - @Age)
            """, new { Tenant = tenant, Connection = connection, Timesheet = timesheet, Age = age })), default);

    private Task<IEnumerable<T>> QueryAsync<T>(Guid tenant, string sql) =>
        _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.QueryAsync<T>(scope.Command(sql)), default);
}
