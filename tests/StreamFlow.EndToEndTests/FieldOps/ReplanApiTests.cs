using System.Net;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.FieldOps;

/// <summary>Issue #13's re-planning over HTTP: time off, a cancellation re-planning the day durably and mailing the technician, a flagged punch mailing the office.</summary>
[Collection(HostCollection.Name)]
public sealed class ReplanApiTests(HostFixture fixture)
{
    private const string Day = "2027-03-10";

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Time_off_keeps_dispatch_away_and_a_hand_assignment_into_it_is_a_409()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var near = await TechnicianAsync(tenant.OwnerToken, "Near", (30.27, -97.74));
        var far = await TechnicianAsync(tenant.OwnerToken, "Far", (30.45, -97.74));
        var visit = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", (30.27, -97.74));

        var before = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/dispatch/suggest", tenant.OwnerToken, new { date = Day }));
        var off = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/technicians/{near}/time-off", tenant.OwnerToken,
            new { start = $"{Day}T07:00:00Z", end = $"{Day}T18:00:00Z", reason = "Dentist" }), HttpStatusCode.Created);
        using var backwards = await SendAsync(HttpMethod.Post, $"/api/v1/technicians/{near}/time-off", tenant.OwnerToken,
            new { start = $"{Day}T18:00:00Z", end = $"{Day}T07:00:00Z" });
        var after = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/dispatch/suggest", tenant.OwnerToken, new { date = Day }));
        using var byHand = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/assignment", tenant.OwnerToken, new { technicianIds = new[] { near } });
        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/technicians/{near}/time-off", tenant.OwnerToken));

        Assert.Equal(near, TechnicianOf(before, visit));
        Assert.Equal(far, TechnicianOf(after, visit));
        Assert.NotEqual(before.GetProperty("basis").GetString(), after.GetProperty("basis").GetString());
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(backwards, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("end", out _));
        var conflict = await PlatformEndpointTests.AssertProblemAsync(byHand, HttpStatusCode.Conflict);
        Assert.Equal(off.GetProperty("timeOff").GetProperty("id").GetGuid(), conflict.GetProperty("timeOffId").GetGuid());
        Assert.Equal("Dentist", Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Cancelling_a_visit_replans_the_day_in_the_background_and_mails_the_technician_what_moved()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var technician = await TechnicianAsync(tenant.OwnerToken, "Rae", (30.27, -97.74), employee.Id);
        var first = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", (30.28, -97.74));
        var second = await VisitAsync(tenant.OwnerToken, "09:00", "16:00", (30.28, -97.75));
        var suggestion = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/dispatch/suggest", tenant.OwnerToken, new { date = Day }));
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/dispatch/apply", tenant.OwnerToken, new { date = Day, basis = suggestion.GetProperty("basis").GetString() }));
        var planned = (await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{second}", tenant.OwnerToken))).GetProperty("scheduledStart").GetDateTimeOffset();

        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{first}/status", tenant.OwnerToken, new { status = "cancelled" }));
        var moved = await WaitAsync(async () =>
        {
            var visit = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{second}", tenant.OwnerToken));
            return visit.GetProperty("scheduledStart").GetDateTimeOffset() != planned ? visit : (JsonElement?)null;
        });
        var mail = await Mailbox.WaitForMailAsync(employee.Email, m => m.GetProperty("subject").GetString() == "Your schedule changed");

        Assert.True(planned > DateTimeOffset.Parse($"{Day}T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeOffset.Parse($"{Day}T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture), moved.GetProperty("scheduledStart").GetDateTimeOffset());
        Assert.Equal([technician], moved.GetProperty("technicianIds").EnumerateArray().Select(t => t.GetGuid()));
        Assert.Contains("a visit was cancelled", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("now Wed 10 Mar 09:00", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_late_report_is_refused_without_minutes_and_a_punch_outside_the_geofence_mails_the_office()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var technician = await TechnicianAsync(tenant.OwnerToken, "Gus", (30.27, -97.74), employee.Id);
        var visit = await VisitAsync(tenant.OwnerToken, "09:00", "10:00", (30.2672, -97.7431));
        await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/assignment", tenant.OwnerToken, new { technicianIds = new[] { technician } }));

        using var noMinutes = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/late", employee.Token, new { reason = "Traffic" });
        var late = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/late", employee.Token, new { minutes = 30, reason = "Traffic" }));
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/time/punches", employee.Token, new
        {
            punches = new[] { new { punchId = Guid.NewGuid(), kind = "clockIn", deviceTime = "2026-11-02T08:00:00Z", latitude = 30.40, longitude = -97.70, accuracyMetres = 10.0, visitId = visit } },
        }));
        var mail = await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.StartsWith("Punch outside the geofence", StringComparison.Ordinal));

        Assert.True((await PlatformEndpointTests.AssertProblemAsync(noMinutes, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("minutes", out _));
        Assert.Equal(30, late.GetProperty("lateMinutes").GetInt32());
        Assert.Contains("Gus punched outside", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("clockIn", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    private static Guid? TechnicianOf(JsonElement suggestion, Guid visit) =>
        suggestion.GetProperty("routes").EnumerateArray()
            .Where(r => r.GetProperty("stops").EnumerateArray().Any(s => s.GetProperty("visitId").GetGuid() == visit))
            .Select(r => (Guid?)r.GetProperty("technicianId").GetGuid()).SingleOrDefault();

    private static async Task<JsonElement> WaitAsync(Func<Task<JsonElement?>> probe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The day was not re-planned within 60 s.");
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

    private async Task<Guid> TechnicianAsync(string token, string name, (double Lat, double Lon) home, Guid? userId = null)
    {
        var created = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/technicians", token, new
        {
            name, userId, skills = new[] { "hvac" }, certifications = Array.Empty<object>(), homeBase = new { latitude = home.Lat, longitude = home.Lon },
            workingHours = new { start = "08:00", end = "17:00" }, hourlyCost = new { amount = "45.00", currency = "USD" },
        }), HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    private async Task<Guid> VisitAsync(string token, string from, string to, (double Lat, double Lon) at)
    {
        var created = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/jobs", token, new
        {
            customerName = "A customer", title = "Service call", address = "1 Main St", location = new { latitude = at.Lat, longitude = at.Lon },
            visit = new { windowStart = $"{Day}T{from}:00Z", windowEnd = $"{Day}T{to}:00Z", durationMinutes = 60, requiredSkills = new[] { "hvac" } },
        }), HttpStatusCode.Created);
        return created.GetProperty("visits")[0].GetProperty("id").GetGuid();
    }
}
