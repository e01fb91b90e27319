using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Database;
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

    private Task<IEnumerable<T>> QueryAsync<T>(Guid tenant, string sql) =>
        _bed.Get<StreamFlowDatabase>().InTenantAsync(tenant, scope => scope.Connection.QueryAsync<T>(scope.Command(sql)), default);
}
