using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.FieldOps;

/// <summary>Issue #13 over HTTP: what is recorded on a visit — checklist, notes, photos in Blob storage and the customer's signature.</summary>
[Collection(HostCollection.Name)]
public sealed class VisitRecordApiTests(HostFixture fixture)
{
    private const string Day = "2027-03-10";

    // A 1×1 PNG and the first bytes of a JPEG.
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_checklist_comes_from_a_template_or_the_job_and_only_the_assigned_technician_ticks_it()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var stranger = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var own = await TechnicianAsync(tenant.OwnerToken, "Erin", employee.Id);
        await TechnicianAsync(tenant.OwnerToken, "Sam", stranger.Id);
        var (job, visit) = await VisitAsync(tenant.OwnerToken);
        await AssignAsync(tenant.OwnerToken, visit, own);
        var template = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/fieldops/checklist-templates", tenant.OwnerToken,
            new { name = "Furnace service", items = new[] { "Replace filter", "Check igniter" } }), HttpStatusCode.Created);

        var fromTemplate = await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/checklist", tenant.OwnerToken,
            new { templateId = template.GetProperty("id").GetGuid() }));
        await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/jobs/{job}/checklist", tenant.OwnerToken, new { items = new[] { "Photo of meter", "Test run" } }));
        var fromJob = await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/checklist", tenant.OwnerToken, new { fromJob = true }));
        using var twoSources = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/checklist", tenant.OwnerToken, new { fromJob = true, items = new[] { "x" } });
        var item = fromJob.GetProperty("checklist")[1].GetProperty("id").GetGuid();
        var ticked = await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/checklist/{item}", employee.Token, new { done = true }));
        using var byStranger = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/checklist/{item}", stranger.Token, new { done = false });
        using var byOffice = await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/checklist/{item}", tenant.OwnerToken, new { done = false });
        using var recordOfStranger = await SendAsync(HttpMethod.Get, $"/api/v1/visits/{visit}/record", stranger.Token);
        var record = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{visit}/record", employee.Token));

        Assert.Equal(["Replace filter", "Check igniter"], fromTemplate.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("label").GetString()));
        Assert.Equal(["Photo of meter", "Test run"], fromJob.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("label").GetString()));
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(twoSources, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("items", out _));
        Assert.True(ticked.GetProperty("done").GetBoolean());
        Assert.Equal(own, ticked.GetProperty("doneBy").GetGuid());
        await PlatformEndpointTests.AssertProblemAsync(byStranger, HttpStatusCode.NotFound);
        await PlatformEndpointTests.AssertProblemAsync(byOffice, HttpStatusCode.Forbidden);
        await PlatformEndpointTests.AssertProblemAsync(recordOfStranger, HttpStatusCode.NotFound);
        Assert.Equal([false, true], record.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("done").GetBoolean()));
    }

    [Fact]
    public async Task A_photo_is_checked_stored_and_read_back_through_the_route_or_a_short_lived_link()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var stranger = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var own = await TechnicianAsync(tenant.OwnerToken, "Pia", employee.Id);
        var (_, visit) = await VisitAsync(tenant.OwnerToken);
        await AssignAsync(tenant.OwnerToken, visit, own);

        var photo = await ReadAsync(await UploadAsync(visit, employee.Token, Png, "image/png", "Meter before"), HttpStatusCode.Created);
        using var lying = await UploadAsync(visit, employee.Token, Png, "image/jpeg");
        using var notImage = await UploadAsync(visit, employee.Token, "hello"u8.ToArray(), "text/plain");
        using var strangers = await UploadAsync(visit, stranger.Token, Png, "image/png");
        var id = photo.GetProperty("id").GetGuid();
        using var content = await SendAsync(HttpMethod.Get, $"/api/v1/visits/{visit}/photos/{id}", employee.Token);
        var link = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/photos/{id}/link", tenant.OwnerToken));
        using var strangerReads = await SendAsync(HttpMethod.Get, $"/api/v1/visits/{visit}/photos/{id}", stranger.Token);
        using var direct = new HttpClient();
        var viaLink = await direct.GetByteArrayAsync(link.GetProperty("url").GetString());
        var record = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{visit}/record", tenant.OwnerToken));

        Assert.Equal("image/png", photo.GetProperty("contentType").GetString());
        Assert.Equal(Png.Length, photo.GetProperty("sizeBytes").GetInt32());
        await PlatformEndpointTests.AssertProblemAsync(lying, HttpStatusCode.UnsupportedMediaType);
        await PlatformEndpointTests.AssertProblemAsync(notImage, HttpStatusCode.UnsupportedMediaType);
        await PlatformEndpointTests.AssertProblemAsync(strangers, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("image/png", content.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Png, await content.Content.ReadAsByteArrayAsync());
        Assert.Equal(Png, viaLink);
        Assert.True(link.GetProperty("expiresAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow.AddMinutes(16));
        await PlatformEndpointTests.AssertProblemAsync(strangerReads, HttpStatusCode.NotFound);
        Assert.Equal("Meter before", Assert.Single(record.GetProperty("photos").EnumerateArray()).GetProperty("caption").GetString());
    }

    [Fact]
    public async Task The_customer_signs_once_on_site_and_notes_are_kept()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");
        var own = await TechnicianAsync(tenant.OwnerToken, "Lou", employee.Id);
        var (_, visit) = await VisitAsync(tenant.OwnerToken);
        await AssignAsync(tenant.OwnerToken, visit, own);
        var signature = new { signerName = "Dana Reyes", image = Convert.ToBase64String(Png) };

        using var tooEarly = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/signature", employee.Token, signature);
        foreach (var status in new[] { "en_route", "on_site" })
        {
            await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/status", employee.Token, new { status }));
        }

        using var notAnImage = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/signature", employee.Token, new { signerName = "Dana", image = "bm90IGFuIGltYWdl" });
        var signed = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/signature", employee.Token, signature), HttpStatusCode.Created);
        using var again = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/signature", employee.Token, signature);
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/notes", employee.Token, new { text = "Replaced the filter; igniter worn." }), HttpStatusCode.Created);
        using var emptyNote = await SendAsync(HttpMethod.Post, $"/api/v1/visits/{visit}/notes", employee.Token, new { text = "" });
        using var image = await SendAsync(HttpMethod.Get, $"/api/v1/visits/{visit}/signature", tenant.OwnerToken);
        var record = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/visits/{visit}/record", tenant.OwnerToken));

        await PlatformEndpointTests.AssertProblemAsync(tooEarly, HttpStatusCode.Conflict);
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(notAnImage, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("image", out _));
        Assert.Equal("Dana Reyes", signed.GetProperty("signerName").GetString());
        Assert.True(signed.GetProperty("signedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        await PlatformEndpointTests.AssertProblemAsync(again, HttpStatusCode.Conflict);
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(emptyNote, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("text", out _));
        Assert.Equal(Png, await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("Dana Reyes", record.GetProperty("signature").GetProperty("signerName").GetString());
        Assert.Equal("Replaced the filter; igniter worn.", Assert.Single(record.GetProperty("notes").EnumerateArray()).GetProperty("text").GetString());
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        Client.SendAsync(HostFixture.Authorized(method, path, token, body));

    private Task<HttpResponseMessage> UploadAsync(Guid visit, string token, byte[] content, string contentType, string? caption = null)
    {
        var request = HostFixture.Authorized(HttpMethod.Post,
            $"/api/v1/visits/{visit}/photos{(caption is null ? "" : $"?caption={Uri.EscapeDataString(caption)}")}", token);
        request.Content = new ByteArrayContent(content);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return Client.SendAsync(request);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private async Task<Guid> TechnicianAsync(string token, string name, Guid userId)
    {
        var created = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/technicians", token, new
        {
            name, userId, skills = new[] { "hvac" }, certifications = Array.Empty<object>(), homeBase = new { latitude = 30.27, longitude = -97.74 },
            workingHours = new { start = "08:00", end = "17:00" }, hourlyCost = new { amount = "45.00", currency = "USD" },
        }), HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    private async Task<(Guid Job, Guid Visit)> VisitAsync(string token)
    {
        var created = await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/jobs", token, new
        {
            customerName = "A customer", title = "Service call", address = "1 Main St", location = new { latitude = 30.2672, longitude = -97.7431 },
            visit = new { windowStart = $"{Day}T09:00:00Z", windowEnd = $"{Day}T10:00:00Z", durationMinutes = 60, requiredSkills = new[] { "hvac" } },
        }), HttpStatusCode.Created);
        return (created.GetProperty("job").GetProperty("id").GetGuid(), created.GetProperty("visits")[0].GetProperty("id").GetGuid());
    }

    private async Task AssignAsync(string token, Guid visit, Guid technician) =>
        await ReadAsync(await SendAsync(HttpMethod.Put, $"/api/v1/visits/{visit}/assignment", token, new { technicianIds = new[] { technician } }));
}
