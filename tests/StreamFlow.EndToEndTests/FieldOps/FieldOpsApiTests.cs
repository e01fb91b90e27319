using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.FieldOps;

/// <summary>Issue #13 over HTTP: technicians, jobs and visits, hand assignment, statuses, dispatch, the time clock and timesheets.</summary>
[Collection(HostCollection.Name)]
public sealed class FieldOpsApiTests(HostFixture fixture)
{
    private const string Day = "2027-03-10";

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_technician_with_bad_fields_is_a_400_naming_each_field()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/technicians", tenant.OwnerToken, new
        {
            name = "Ted", homeBase = new { latitude = 95.0, longitude = -97.7 }, workingHours = new { start = "17:00", end = "08:00" },
            hourlyCost = new { amount = "abc", currency = "USD" },
        });
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("homeBase.latitude", out _));
        Assert.True(errors.TryGetProperty("workingHours.end", out _));
        Assert.True(errors.TryGetProperty("hourlyCost.amount", out _));
    }

    [Fact]
    public async Task A_technician_reads_back_changes_and_retires()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var id = await TechnicianAsync(tenant.OwnerToken, "Tina", ["hvac"]);

        using var patched = await SendAsync(HttpMethod.Patch, $"/api/v1/technicians/{id}", tenant.OwnerToken, new { skills = new[] { "hvac", "electrical" } });
        using var retired = await SendAsync(HttpMethod.Delete, $"/api/v1/technicians/{id}", tenant.OwnerToken);
        var active = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/technicians", tenant.OwnerToken));

        var technician = await ReadAsync(patched);
        Assert.Equal(["hvac", "electrical"], technician.GetProperty("skills").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("08:00", technician.GetProperty("workingHours").GetProperty("start").GetString());
        Assert.Equal("45.00", technician.GetProperty("hourlyCost").GetProperty("amount").GetString());
        Assert.False((await ReadAsync(retired)).GetProperty("active").GetBoolean());
        Assert.Empty(active.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_recurring_job_creates_one_visit_per_occurrence_through_its_end()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/jobs", tenant.OwnerToken, new
        {
            customerName = "Dana Reyes", title = "Filter change", address = "500 Congress Ave", location = new { latitude = 30.2672, longitude = -97.7431 },
            recurrence = new { frequency = "weekly", interval = 2, until = "2027-04-10" },
            visit = new { windowStart = $"{Day}T09:00:00Z", windowEnd = $"{Day}T11:00:00Z", durationMinutes = 60, requiredSkills = new[] { "hvac" } },
        });
        var created = await ReadAsync(response, HttpStatusCode.Created);

        Assert.Equal(["2027-03-10", "2027-03-24", "2027-04-07"],
            created.GetProperty("visits").EnumerateArray().Select(v => v.GetProperty("windowStart").GetDateTimeOffset().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("weekly", created.GetProperty("job").GetProperty("recurrence").GetProperty("frequency").GetString());
    }

    [Fact]
    public async Task Assigning_a_busy_technician_is_a_409_naming_the_conflicting_visit()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var technician = await TechnicianAsync(tenant.OwnerToken, "Tom", ["hvac"]);
        var first = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", 120);
        var second = await VisitAsync(tenant.OwnerToken, "10:00", "11:00", 60);
        await AssignAsync(tenant.OwnerToken, first, [technician]);
        var assigned = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{first}", tenant.OwnerToken));
        Assert.Equal(["Tom"], assigned.GetProperty("technicianNames").EnumerateArray().Select(n => n.GetString()));
        Assert.False(string.IsNullOrEmpty(assigned.GetProperty("jobTitle").GetString()));

        using var response = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{second}/assignment", tenant.OwnerToken, new { technicianIds = new[] { technician } });
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.Conflict);

        Assert.Equal(first, problem.GetProperty("conflictingVisitId").GetGuid());
        Assert.Contains(first.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assigning_without_the_skill_or_with_an_expired_certification_is_422_unless_overridden_with_a_reason_that_is_audited()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var unskilled = await TechnicianAsync(tenant.OwnerToken, "Uma", ["plumbing"]);
        var expired = await TechnicianAsync(tenant.OwnerToken, "Eli", ["hvac"], [new { name = "EPA-608", expiresOn = "2027-01-31" }]);
        var visit = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", 60, certifications: ["EPA-608"]);

        using var noSkill = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/assignment", tenant.OwnerToken, new { technicianIds = new[] { unskilled } });
        using var noCertification = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/assignment", tenant.OwnerToken, new { technicianIds = new[] { expired } });
        using var overridden = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/assignment", tenant.OwnerToken,
            new { technicianIds = new[] { expired }, @override = new { reason = "Renewal exam passed, card in the post" } });
        var audit = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/audit", tenant.OwnerToken));

        Assert.Contains("skill hvac", (await PlatformEndpointTests.AssertProblemAsync(noSkill, (HttpStatusCode)422)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("expired 2027-01-31", (await PlatformEndpointTests.AssertProblemAsync(noCertification, (HttpStatusCode)422)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal([expired], (await ReadAsync(overridden)).GetProperty("technicianIds").EnumerateArray().Select(t => t.GetGuid()));
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "visit.assignment.override");
        Assert.Equal("Renewal exam passed, card in the post", entry.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_visit_moves_forward_through_its_statuses_and_an_illegal_move_is_409()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var visit = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", 60);

        using var skipped = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/status", tenant.OwnerToken, new { status = "completed" });
        var moves = new List<string?>();
        foreach (var status in new[] { "en_route", "on_site", "completed" })
        {
            moves.Add((await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/status", tenant.OwnerToken, new { status }))).GetProperty("status").GetString());
        }

        using var reopened = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/status", tenant.OwnerToken, new { status = "cancelled" });

        await PlatformEndpointTests.AssertProblemAsync(skipped, HttpStatusCode.Conflict);
        Assert.Equal(["en_route", "on_site", "completed"], moves);
        await PlatformEndpointTests.AssertProblemAsync(reopened, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_employee_sees_and_moves_only_their_own_visits()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var own = await TechnicianAsync(tenant.OwnerToken, "Erin", ["hvac"], userId: employee.Id);
        var other = await TechnicianAsync(tenant.OwnerToken, "Oscar", ["hvac"]);
        var mine = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", 60);
        var theirs = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", 60);
        await AssignAsync(tenant.OwnerToken, mine, [own]);
        await AssignAsync(tenant.OwnerToken, theirs, [other]);

        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/visits", employee.Token));
        using var readOther = await SendAsync(HttpMethod.Get, $"/api/v1/visits/{theirs}", employee.Token);
        using var moveOther = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{theirs}/status", employee.Token, new { status = "en_route" });
        using var moveOwn = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{mine}/status", employee.Token, new { status = "en_route" });
        using var cancelOwn = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{mine}/status", employee.Token, new { status = "cancelled" });
        using var technicians = await SendAsync(HttpMethod.Get, "/api/v1/technicians", employee.Token);

        Assert.Equal([mine], listed.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("id").GetGuid()));
        await PlatformEndpointTests.AssertProblemAsync(readOther, HttpStatusCode.NotFound);
        await PlatformEndpointTests.AssertProblemAsync(moveOther, HttpStatusCode.NotFound);
        Assert.Equal("en_route", (await ReadAsync(moveOwn)).GetProperty("status").GetString());
        await PlatformEndpointTests.AssertProblemAsync(cancelOwn, HttpStatusCode.Forbidden);
        await PlatformEndpointTests.AssertProblemAsync(technicians, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Dispatch_suggests_without_writing_and_applies_only_an_unchanged_day()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var north = await TechnicianAsync(tenant.OwnerToken, "North", ["hvac"], home: (30.40, -97.74));
        var south = await TechnicianAsync(tenant.OwnerToken, "South", ["hvac"], home: (30.15, -97.79));
        var nearNorth = await VisitAsync(tenant.OwnerToken, "09:00", "12:00", 60, at: (30.39, -97.73));
        var nearSouth = await VisitAsync(tenant.OwnerToken, "09:00", "12:00", 60, at: (30.16, -97.78));

        var suggestion = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/dispatch/suggest", tenant.OwnerToken, new { date = Day }));
        var untouched = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{nearNorth}", tenant.OwnerToken));
        var basis = suggestion.GetProperty("basis").GetString();
        var late = await VisitAsync(tenant.OwnerToken, "13:00", "15:00", 60, at: (30.30, -97.75));
        using var stale = await SendAsync(HttpMethod.Post, "/api/v1/dispatch/apply", tenant.OwnerToken, new { date = Day, basis });
        var fresh = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/dispatch/suggest", tenant.OwnerToken, new { date = Day }));
        var applied = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/dispatch/apply", tenant.OwnerToken, new { date = Day, basis = fresh.GetProperty("basis").GetString() }));
        var north1 = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{nearNorth}", tenant.OwnerToken));
        var south1 = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{nearSouth}", tenant.OwnerToken));

        Assert.Equal(2, suggestion.GetProperty("explanations").GetArrayLength());
        Assert.Empty(untouched.GetProperty("technicianIds").EnumerateArray());
        var problem = await PlatformEndpointTests.AssertProblemAsync(stale, HttpStatusCode.Conflict);
        Assert.Equal(fresh.GetProperty("basis").GetString(), problem.GetProperty("currentBasis").GetString());
        Assert.True(applied.GetProperty("applied").GetBoolean());
        Assert.Equal([north], north1.GetProperty("technicianIds").EnumerateArray().Select(t => t.GetGuid()));
        Assert.Equal([south], south1.GetProperty("technicianIds").EnumerateArray().Select(t => t.GetGuid()));
        Assert.NotEqual(JsonValueKind.Null, north1.GetProperty("scheduledStart").ValueKind);
        Assert.Contains(late, applied.GetProperty("routes").EnumerateArray().SelectMany(r => r.GetProperty("stops").EnumerateArray()).Select(s => s.GetProperty("visitId").GetGuid()));
    }

    [Fact]
    public async Task Punches_are_idempotent_flagged_outside_the_geofence_and_refused_from_the_future_or_without_accuracy()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var technician = await TechnicianAsync(tenant.OwnerToken, "Pat", ["hvac"], userId: employee.Id);
        var visit = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", 60, at: (30.2672, -97.7431));
        await AssignAsync(tenant.OwnerToken, visit, [technician]);
        var (clockIn, clockOut) = (Guid.NewGuid(), Guid.NewGuid());
        object[] day =
        [
            new { punchId = clockOut, kind = "clockOut", deviceTime = "2026-11-02T17:00:00Z", latitude = 30.30, longitude = -97.70, accuracyMetres = 10.0, visitId = visit },
            new { punchId = clockIn, kind = "clockIn", deviceTime = "2026-11-02T08:00:00Z", latitude = 30.2673, longitude = -97.7432, accuracyMetres = 15.0, visitId = visit },
        ];

        var first = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token, new { punches = day }));
        var again = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token, new { punches = day }));
        using var future = await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token,
            new { punches = new[] { new { punchId = Guid.NewGuid(), kind = "clockIn", deviceTime = DateTimeOffset.UtcNow.AddHours(1) } } });
        using var noAccuracy = await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token,
            new { punches = new[] { new { punchId = Guid.NewGuid(), kind = "clockIn", deviceTime = "2026-11-03T08:00:00Z", latitude = 30.2, longitude = -97.7 } } });

        var accepted = first.GetProperty("accepted").EnumerateArray().ToList();
        Assert.Equal([clockIn, clockOut], accepted.Select(p => p.GetProperty("punchId").GetGuid()));
        Assert.Equal([false, true], accepted.Select(p => p.GetProperty("outsideGeofence").GetBoolean()));
        Assert.Empty(again.GetProperty("accepted").EnumerateArray());
        Assert.Equal(2, again.GetProperty("repeats").GetArrayLength());
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(future, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("punches[0].deviceTime", out _));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(noAccuracy, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("punches[0].accuracyMetres", out _));
    }

    [Fact]
    public async Task A_timesheet_splits_overtime_by_the_tenant_thresholds_locks_once_approved_and_exports_csv()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var technician = await TechnicianAsync(tenant.OwnerToken, "Val", ["hvac"], userId: employee.Id);
        await ReadAsync(await SendAsync(HttpMethod.Put, "/api/v1/fieldops/settings", tenant.OwnerToken,
            new { dailyOvertimeHours = 8.0, weeklyOvertimeHours = (double?)null, geofenceRadiusMetres = 150, averageSpeedKmh = 40.0 }));
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token, new
        {
            punches = new object[]
            {
                new { punchId = Guid.NewGuid(), kind = "clockIn", deviceTime = "2026-11-02T07:00:00Z" },
                new { punchId = Guid.NewGuid(), kind = "breakStart", deviceTime = "2026-11-02T12:00:00Z" },
                new { punchId = Guid.NewGuid(), kind = "breakEnd", deviceTime = "2026-11-02T12:30:00Z" },
                new { punchId = Guid.NewGuid(), kind = "clockOut", deviceTime = "2026-11-02T17:30:00Z" },
            },
        }));

        var sheet = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/timesheets", tenant.OwnerToken,
            new { technicianId = technician, periodStart = "2026-11-02", periodEnd = "2026-11-08" }));
        var id = sheet.GetProperty("id").GetGuid();
        var approved = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/timesheets/{id}/approve", tenant.OwnerToken));
        using var edit = await SendAsync(HttpMethod.Patch, $"/api/v1/timesheets/{id}", tenant.OwnerToken, new { note = "corrected" });
        using var recompute = await SendAsync(HttpMethod.Post, "/api/v1/timesheets", tenant.OwnerToken, new { technicianId = technician, periodStart = "2026-11-02", periodEnd = "2026-11-08" });
        using var latePunch = await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token,
            new { punches = new[] { new { punchId = Guid.NewGuid(), kind = "clockIn", deviceTime = "2026-11-04T07:00:00Z" } } });
        using var csv = await SendAsync(HttpMethod.Get, $"/api/v1/timesheets/{id}/export", employee.Token);

        Assert.Equal(8.0, sheet.GetProperty("regularHours").GetDouble());
        Assert.Equal(2.0, sheet.GetProperty("overtimeHours").GetDouble());
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        await PlatformEndpointTests.AssertProblemAsync(edit, HttpStatusCode.Conflict);
        await PlatformEndpointTests.AssertProblemAsync(recompute, HttpStatusCode.Conflict);
        await PlatformEndpointTests.AssertProblemAsync(latePunch, HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.StartsWith("text/csv", csv.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{technician},2026-11-02,10.00,8.00,2.00,approved", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_employee_reads_only_their_own_timesheets_and_punches()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        await TechnicianAsync(tenant.OwnerToken, "Mia", ["hvac"], userId: employee.Id);
        var other = await TechnicianAsync(tenant.OwnerToken, "Ned", ["hvac"]);
        var theirs = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/timesheets", tenant.OwnerToken,
            new { technicianId = other, periodStart = "2026-11-02", periodEnd = "2026-11-08" }));

        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/timesheets", employee.Token));
        using var readOther = await SendAsync(HttpMethod.Get, $"/api/v1/timesheets/{theirs.GetProperty("id").GetGuid()}", employee.Token);
        using var punchesOther = await SendAsync(HttpMethod.Get, $"/api/v1/time/punches?technicianId={other}&from=2026-11-02&to=2026-11-08", employee.Token);
        using var approve = await SendAsync(HttpMethod.Post, $"/api/v1/timesheets/{theirs.GetProperty("id").GetGuid()}/approve", employee.Token);

        Assert.Empty(listed.GetProperty("items").EnumerateArray());
        await PlatformEndpointTests.AssertProblemAsync(readOther, HttpStatusCode.NotFound);
        await PlatformEndpointTests.AssertProblemAsync(punchesOther, HttpStatusCode.NotFound);
        await PlatformEndpointTests.AssertProblemAsync(approve, HttpStatusCode.Forbidden);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        Client.SendAsync(HostFixture.Authorized(method, path, token, body));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private async Task<Guid> TechnicianAsync(
        string token, string name, string[] skills, object[]? certifications = null, Guid? userId = null, (double Lat, double Lon)? home = null)
    {
        var (lat, lon) = home ?? (30.27, -97.74);
        var created = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/technicians", token, new
        {
            name, userId, skills, certifications = certifications ?? [], homeBase = new { latitude = lat, longitude = lon },
            workingHours = new { start = "08:00", end = "17:00" }, hourlyCost = new { amount = "45.00", currency = "USD" },
        }), HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    private async Task<Guid> VisitAsync(
        string token, string from, string to, int minutes, string[]? certifications = null, (double Lat, double Lon)? at = null)
    {
        var (lat, lon) = at ?? (30.2672, -97.7431);
        var created = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/jobs", token, new
        {
            customerName = "A customer", title = "Service call", address = "1 Main St", location = new { latitude = lat, longitude = lon },
            visit = new
            {
                windowStart = $"{Day}T{from}:00Z", windowEnd = $"{Day}T{to}:00Z", durationMinutes = minutes, requiredSkills = new[] { "hvac" },
                requiredCertifications = certifications ?? [],
            },
        }), HttpStatusCode.Created);
        return created.GetProperty("visits")[0].GetProperty("id").GetGuid();
    }

    private async Task AssignAsync(string token, Guid visit, Guid[] technicians) =>
        await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/assignment", token, new { technicianIds = technicians }));
}
