using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Leads;
using StreamFlow.IntegrationTests.LeadSources;
using StreamFlow.IntegrationTests.Rfps;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace StreamFlow.IntegrationTests.Connections;

/// <summary>SAM.gov syncs end to end: the connector against a fake of the documented API, the real database and the real sync orchestration.</summary>
[Collection(ServicesCollection.Name)]
public sealed class SamGovSyncTests(TestServices services) : IAsyncLifetime
{
    private readonly SamGovFake _sam = new();
    private ConnectionTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ConnectionTestBed.StartAsync(services, _sam.Url);

    [Fact]
    public async Task A_sync_pages_by_offset_until_every_notice_is_a_lead_and_a_second_sync_creates_none()
    {
        _sam.WithNotices(2_500).Serving();
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        var first = await _bed.SyncAsync(tenant, connection.Id);
        var second = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 3, 2_500, 2_500), (first.Status, first.Pages, first.ItemsSeen, first.LeadsCreated));
        Assert.Equal(("completed", 0, 0, 2_500), (second.Status, second.LeadsCreated, second.LeadsUpdated, second.ItemsSkipped));
        Assert.Equal(2_500, await _bed.CountLeadsAsync(tenant));
        var offsets = _sam.Server.LogEntries.Take(3).Select(entry => entry.RequestMessage.Query!["offset"].Single()).ToList();
        Assert.Equal(["0", "1000", "2000"], offsets);
        var query = _sam.Server.LogEntries[0].RequestMessage.Query!;
        Assert.Equal(("1000", "238220", SamGovFake.ApiKey), (query["limit"].Single(), query["ncode"].Single(), query["api_key"].Single()));
        Assert.Equal(["o", "k"], query["ptype"].ToArray());
        Assert.Matches("^[0-9]{2}/[0-9]{2}/[0-9]{4}$", query["postedFrom"].Single());
        var stored = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal(("ok", 2_500L, DateTime.UtcNow.ToString("yyyy-MM-dd")), (stored.Health, stored.Totals.LeadsCreated, stored.Cursor));
        Assert.NotNull(stored.NextSyncAt);
    }

    [Fact]
    public async Task A_notice_becomes_a_lead_with_its_deadline_time_zone_agency_set_aside_naics_place_contact_and_links()
    {
        _sam.WithNotices(4).Serving();
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        await _bed.SyncAsync(tenant, connection.Id);

        var lead = await LeadAsync(tenant, "n0000000");
        Assert.Equal(("DEPT OF DEFENSE", "Jordan", "Lee", "SAM.gov", "AL", "Huntsville", "35816"), (lead.Company, lead.FirstName, lead.LastName, lead.Source, lead.State, lead.City, lead.PostalCode));
        Assert.Null(lead.Email);
        string Attribute(string name) => lead.Attributes.GetProperty(name).ToString();
        Assert.Equal("W912DY-27-R-0000", Attribute("samSolicitationNumber"));
        Assert.Equal("DEPT OF DEFENSE.DEPT OF THE ARMY.USACE.ENGINEERING AND SUPPORT CENTER", Attribute("samAgencyPath"));
        Assert.Equal(("2027-01-20T14:00:00-05:00", "2027-01-20T19:00:00Z", "-05:00"), (Attribute("samResponseDeadline"), Attribute("samResponseDeadlineUtc"), Attribute("samResponseDeadlineOffset")));
        Assert.Equal(("SBA", "238220", "active"), (Attribute("samSetAsideCode"), Attribute("samNaics"), Attribute("samStatus")));
        Assert.Equal(("jordan.lee@usace.army.mil", "https://sam.gov/opp/n0000000/view"), (Attribute("samContactEmail"), Attribute("samUiLink")));
        Assert.StartsWith("4820 University Square, Huntsville, AL, 35816", Attribute("samPlaceOfPerformance"), StringComparison.Ordinal);
        var withoutDeadline = await LeadAsync(tenant, "n0000003");
        Assert.False(withoutDeadline.Attributes.TryGetProperty("samResponseDeadline", out _));
        Assert.Equal(4, await _bed.CountLeadsAsync(tenant));
    }

    [Fact]
    public async Task A_cancelled_notice_closes_its_lead_as_lost_on_the_next_sync_and_an_archived_one_updates_its_status()
    {
        _sam.WithNotices(3).Serving();
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);
        await _bed.SyncAsync(tenant, connection.Id);

        _sam.Notices[0]["type"] = "Cancellation";
        _sam.Notices[1]["active"] = "No";
        var again = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal((0, 2, 1), (again.LeadsCreated, again.LeadsUpdated, again.ItemsSkipped));
        var cancelled = await LeadAsync(tenant, "n0000000");
        Assert.Equal(("lost", "cancelled"), (cancelled.Outcome?.Status, cancelled.Attributes.GetProperty("samStatus").GetString()));
        var archived = await LeadAsync(tenant, "n0000001");
        Assert.Equal(((string?)null, "archived"), (archived.Outcome?.Status, archived.Attributes.GetProperty("samStatus").GetString()));
        Assert.Equal(3, await _bed.CountLeadsAsync(tenant));
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_and_the_same_page_runs_again()
    {
        _sam.WithNotices(5).Serving();
        _sam.Server.Given(Request.Create().WithPath("/opportunities/v2/search").UsingGet()).InScenario("throttle").WillSetStateTo("done").AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1").WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit. Try again later."}}"""));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("completed", 1, 5), (sync.Status, sync.Retries, sync.LeadsCreated));
        Assert.Equal(["0", "0"], _sam.Server.LogEntries.Select(entry => entry.RequestMessage.Query!["offset"].Single()).ToArray());
    }

    [Fact]
    public async Task A_429_without_Retry_After_is_the_spent_daily_quota_surfaced_and_not_retried()
    {
        _sam.Server.Given(Request.Create().WithPath("/opportunities/v2/search").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit. Try again later or contact us at https://api.data.gov:443/contact/ for assistance"}}"""));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "quotaExceeded", 0), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Contains("You have exceeded your rate limit", sync.Error, StringComparison.Ordinal);
        Assert.Single(_sam.Server.LogEntries);
        var stored = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal(("error", "quotaExceeded"), (stored.Health, stored.LastError?.Kind));
        Assert.Equal(0, await _bed.CountLeadsAsync(tenant));
    }

    [Theory]
    [InlineData(503, """{"message":"Service Unavailable"}""")]
    [InlineData(200, """{"totalRecords": 3, "opportunitiesData": [ {"noticeId": """)]
    [InlineData(200, "<html><body>maintenance</body></html>")]
    public async Task A_failing_or_garbled_answer_is_retried_a_few_times_then_the_sync_fails_with_the_error_on_the_connection(int status, string body)
    {
        _sam.Server.Given(Request.Create().WithPath("/opportunities/v2/search").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unavailable", 2), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Equal(3, _sam.Server.LogEntries.Count());
        var stored = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal(("error", "unavailable"), (stored.Health, stored.LastError?.Kind));
        Assert.Null(stored.Cursor);
        Assert.Equal(0, await _bed.CountLeadsAsync(tenant));
    }

    [Fact]
    public async Task An_invalid_key_fails_at_once_and_marks_the_connection_broken_so_no_schedule_retries_it()
    {
        _sam.WithNotices(2).Serving();
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, "not-a-valid-key");

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "unauthorized", 0), (sync.Status, sync.ErrorKind, sync.Retries));
        Assert.Contains("An invalid api_key was supplied", sync.Error, StringComparison.Ordinal);
        Assert.Single(_sam.Server.LogEntries);
        var stored = (await _bed.Connections.GetAsync(tenant, connection.Id, default)).Value!;
        Assert.Equal("broken", stored.Health);
        Assert.DoesNotContain(await _bed.Connections.DueAsync(1000, default), due => due.ConnectionId == connection.Id);

        var fixedKey = await _bed.Connections.UpdateAsync(tenant, connection.Id,
            new Core.Connections.UpdateConnection(null, null, new() { ["apiKey"] = SamGovFake.ApiKey }, null, null), default);
        Assert.Equal("new", fixedKey.Value!.Health);
        Assert.Equal("completed", (await _bed.SyncAsync(tenant, connection.Id)).Status);
    }

    [Fact]
    public async Task A_request_the_API_refuses_is_an_invalid_request_error_with_its_message_and_is_not_retried()
    {
        _sam.Server.Given(Request.Create().WithPath("/opportunities/v2/search").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json")
                .WithBody("""{"errorCode":"400","errorMessage":"Date range must be 1 year(s) apart"}"""));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        var sync = await _bed.SyncAsync(tenant, connection.Id);

        Assert.Equal(("failed", "invalidRequest"), (sync.Status, sync.ErrorKind));
        Assert.Contains("Date range must be 1 year(s) apart", sync.Error, StringComparison.Ordinal);
        Assert.Single(_sam.Server.LogEntries);
    }

    [Fact]
    public async Task The_connection_test_reports_the_vendors_verdict()
    {
        _sam.WithNotices(1).Serving();
        var tenant = await _bed.CreateTenantAsync();
        var good = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);
        var bad = await _bed.CreateSamGovAsync(tenant, "revoked-key");

        var accepted = (await _bed.Connections.TestAsync(tenant, good.Id, default)).Value!;
        var refused = (await _bed.Connections.TestAsync(tenant, bad.Id, default)).Value!;

        Assert.True(accepted.Ok, accepted.Message);
        Assert.Equal((false, "unauthorized"), (refused.Ok, refused.ErrorKind));
    }

    [Fact]
    public async Task Only_one_sync_at_a_time_runs_per_connection()
    {
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        var first = await _bed.Connections.OpenSyncAsync(tenant, connection.Id, "manual", default);
        var second = await _bed.Connections.OpenSyncAsync(tenant, connection.Id, "schedule", default);

        Assert.True(first.Value!.Opened);
        Assert.False(second.Value!.Opened);
        Assert.Equal(first.Value.Sync.Id, second.Value.Sync.Id);
    }

    [Fact]
    public async Task Attachments_on_the_SAM_host_that_are_PDF_are_analysed_and_others_are_skipped_with_the_reason()
    {
        var notice = SamGovFake.Notice("att0000001", 1);
        notice["resourceLinks"] = new JsonArray($"{_sam.Url}/files/sow/download", $"{_sam.Url}/files/page/download", "http://169.254.169.254/latest/meta-data");
        _sam.With(notice).Serving();
        _sam.Server.Given(Request.Create().WithPath("/files/sow/download").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/octet-stream").WithHeader("Content-Disposition", "attachment; filename=\"SOW.pdf\"")
            .WithBody(SolicitationDocuments.Pdf(SolicitationDocuments.Pages)));
        _sam.Server.Given(Request.Create().WithPath("/files/page/download").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "text/html").WithBody("<html>Q&amp;A</html>"));
        var tenant = await _bed.CreateTenantAsync();
        var connection = await _bed.CreateSamGovAsync(tenant, SamGovFake.ApiKey);

        await _bed.SyncAsync(tenant, connection.Id);

        var lead = await _bed.LeadOfNoticeAsync(tenant, "att0000001");
        var attachments = await _bed.Get<Core.LeadSources.SourceAttachments>().ForLeadAsync(tenant, lead, default);
        var pdf = Assert.Single(attachments, a => a.Url.EndsWith("/sow/download", StringComparison.Ordinal));
        Assert.Equal(("analyzing", "SOW.pdf"), (pdf.Status, pdf.FileName));
        var rfp = (await _bed.Get<Core.Rfps.RfpService>().GetAsync(tenant, pdf.RfpId!.Value, default)).Value!;
        Assert.Equal("completed", rfp.Status);
        var html = Assert.Single(attachments, a => a.Url.EndsWith("/page/download", StringComparison.Ordinal));
        Assert.Equal("skipped", html.Status);
        Assert.Contains("Not a PDF or DOCX", html.Reason, StringComparison.Ordinal);
        var elsewhere = Assert.Single(attachments, a => a.Url.StartsWith("http://169.254", StringComparison.Ordinal));
        Assert.Equal("skipped", elsewhere.Status);
        Assert.DoesNotContain(_sam.Server.LogEntries, entry => entry.RequestMessage.Path.Contains("meta-data", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        _sam.Dispose();
    }

    private async Task<Lead> LeadAsync(Guid tenant, string noticeId) =>
        (await _bed.Get<LeadService>().GetAsync(tenant, await _bed.LeadOfNoticeAsync(tenant, noticeId), false, default)).Value!;
}
