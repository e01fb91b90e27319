using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Tasks;

/// <summary>Issue #16, slice 2: follow-up tasks over HTTP, the overdue list and reminder emails.</summary>
[Collection(HostCollection.Name)]
public sealed class TaskApiTests(HostFixture fixture)
{
    [Fact]
    public async Task A_local_due_time_is_read_in_the_business_time_zone()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await SetZoneAsync(tenant, "America/Chicago");

        var task = await CreateAsync(tenant, new { title = "Call Dana back", dueLocal = "2027-03-15T09:30", priority = "urgent" });

        Assert.Equal(new DateTimeOffset(2027, 3, 15, 14, 30, 0, TimeSpan.Zero), task.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal("2027-03-15T09:30", task.GetProperty("dueLocal").GetString());
        Assert.Equal("America/Chicago", task.GetProperty("timeZone").GetString());
        Assert.Equal("urgent", task.GetProperty("priority").GetString());
        Assert.Equal("open", task.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Done_and_undo_move_the_status_and_are_idempotent()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var id = (await CreateAsync(tenant, new { title = "Send the quote" })).GetProperty("id").GetGuid();

        var done = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/tasks/{id}/completion", tenant.OwnerToken));
        var again = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/tasks/{id}/completion", tenant.OwnerToken));
        var reopened = await ReadAsync(await SendAsync(HttpMethod.Delete, $"/api/v1/tasks/{id}/completion", tenant.OwnerToken));

        Assert.Equal("done", done.GetProperty("status").GetString());
        Assert.Equal($"user:{await OwnerIdAsync(tenant)}", done.GetProperty("completedBy").GetString());
        Assert.Equal(done.GetProperty("version").GetInt32(), again.GetProperty("version").GetInt32());
        Assert.Equal("open", reopened.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("completedAt").ValueKind);
    }

    [Fact]
    public async Task The_overdue_list_holds_open_tasks_past_due_only()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var now = DateTimeOffset.UtcNow;
        var late = (await CreateAsync(tenant, new { title = "Late", dueAt = now.AddHours(-2) })).GetProperty("id").GetGuid();
        var lateDone = (await CreateAsync(tenant, new { title = "Late but done", dueAt = now.AddHours(-1) })).GetProperty("id").GetGuid();
        await CreateAsync(tenant, new { title = "Tomorrow", dueAt = now.AddDays(1) });
        await CreateAsync(tenant, new { title = "Someday" });
        (await SendAsync(HttpMethod.Post, $"/api/v1/tasks/{lateDone}/completion", tenant.OwnerToken)).Dispose();

        var overdue = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/tasks/overdue", tenant.OwnerToken));
        var all = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/tasks?status=open&limit=2", tenant.OwnerToken));
        var rest = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/tasks?status=open&limit=2&cursor={all.GetProperty("nextCursor").GetString()}", tenant.OwnerToken));

        var item = Assert.Single(overdue.GetProperty("items").EnumerateArray());
        Assert.Equal(late, item.GetProperty("id").GetGuid());
        Assert.True(item.GetProperty("overdue").GetBoolean());
        Assert.Equal(["Late", "Tomorrow", "Someday"],
            all.GetProperty("items").EnumerateArray().Concat(rest.GetProperty("items").EnumerateArray()).Select(t => t.GetProperty("title").GetString()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task A_task_names_its_assignee_lead_creator_and_completer_beside_their_ids()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var lead = await LeadAsync(tenant);
        var id = (await CreateAsync(tenant, new { title = "Call Dana", leadId = lead, assigneeUserId = staff.Id })).GetProperty("id").GetGuid();

        var done = await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/tasks/{id}/completion", staff.Token));
        var reassigned = await ReadAsync(await SendAsync(HttpMethod.Patch, $"/api/v1/tasks/{id}", tenant.OwnerToken, new { assigneeUserId = (Guid?)null }));

        Assert.Equal("A staff", done.GetProperty("assigneeName").GetString());
        Assert.Equal("Dana", done.GetProperty("leadName").GetString());
        Assert.Equal("A staff", done.GetProperty("completedByName").GetString());
        Assert.False(string.IsNullOrEmpty(done.GetProperty("createdByName").GetString()));
        Assert.Equal(JsonValueKind.Null, done.GetProperty("jobTitle").ValueKind);
        Assert.Equal(JsonValueKind.Null, reassigned.GetProperty("assigneeName").ValueKind);
    }

    [Fact]
    public async Task Tasks_filter_by_lead_and_assignee()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var lead = await LeadAsync(tenant);
        await CreateAsync(tenant, new { title = "About the lead", leadId = lead, assigneeUserId = staff.Id });
        await CreateAsync(tenant, new { title = "Not about it" });

        var byLead = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/tasks?leadId={lead}", tenant.OwnerToken));
        var mine = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/tasks?assignee=me", staff.Token));

        Assert.Equal("About the lead", Assert.Single(byLead.GetProperty("items").EnumerateArray()).GetProperty("title").GetString());
        Assert.Equal("About the lead", Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Unknown_references_and_bad_fields_are_a_400_naming_each()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/tasks", tenant.OwnerToken, new
        {
            title = " ", assigneeUserId = Guid.NewGuid(), leadId = Guid.NewGuid(), jobId = Guid.NewGuid(),
            dueAt = "2027-03-15T14:30:00Z", dueLocal = "2027-03-15T09:30",
        });
        using var badLocal = await SendAsync(HttpMethod.Post, "/api/v1/tasks", tenant.OwnerToken, new { title = "x", dueLocal = "tomorrow" });
        using var badFilter = await SendAsync(HttpMethod.Get, "/api/v1/tasks?status=later&assignee=bob", tenant.OwnerToken);
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.Equal(["assigneeUserId", "dueLocal", "jobId", "leadId", "title"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.True((await PlatformEndpointTests.AssertProblemAsync(badLocal, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("dueLocal", out _));
        Assert.Equal(["assignee", "status"],
            (await PlatformEndpointTests.AssertProblemAsync(badFilter, HttpStatusCode.BadRequest)).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Another_business_cannot_see_or_complete_a_task()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        var id = (await CreateAsync(tenant, new { title = "Private" })).GetProperty("id").GetGuid();

        using var read = await SendAsync(HttpMethod.Get, $"/api/v1/tasks/{id}", other.OwnerToken);
        using var complete = await SendAsync(HttpMethod.Post, $"/api/v1/tasks/{id}/completion", other.OwnerToken);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, complete.StatusCode);
    }

    [Fact]
    public async Task A_task_falling_due_is_reminded_by_email_once_however_often_the_timer_fires()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var developer = await fixture.LoginAsync("dev");
        var title = $"Reminder {Guid.NewGuid():N}";
        await CreateAsync(tenant, new { title, assigneeUserId = await OwnerIdAsync(tenant), dueAt = DateTimeOffset.UtcNow.AddMinutes(5) });

        await FireRemindersAsync(developer);
        var mail = await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.Contains(title, StringComparison.Ordinal));
        await FireRemindersAsync(developer);
        // The outbox sends in order: once the later task's reminder is in, a duplicate of the first would be too.
        var marker = $"Marker {Guid.NewGuid():N}";
        await CreateAsync(tenant, new { title = marker, assigneeUserId = await OwnerIdAsync(tenant), dueAt = DateTimeOffset.UtcNow.AddMinutes(5) });
        await FireRemindersAsync(developer);
        await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.Contains(marker, StringComparison.Ordinal));

        Assert.Contains("is due", mail.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await MailCountAsync(tenant.OwnerEmail, title));
    }

    private async Task FireRemindersAsync(string developerToken)
    {
        using var fire = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/admin/functions/SendTaskReminders", developerToken));
        Assert.Equal(HttpStatusCode.Accepted, fire.StatusCode);
    }

    private static async Task<int> MailCountAsync(string to, string subjectContains)
    {
        using var client = new HttpClient { BaseAddress = new Uri(TestEnvironment.Setting("MAILDEV_API_URL")) };
        var mails = await client.GetFromJsonAsync<JsonElement>("/api/email");
        return mails.EnumerateArray().Count(m =>
            m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase))
            && m.GetProperty("subject").GetString()!.Contains(subjectContains, StringComparison.Ordinal));
    }

    private async Task<Guid> OwnerIdAsync(TestTenant tenant) =>
        (await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken))).GetProperty("userId").GetGuid();

    private async Task SetZoneAsync(TestTenant tenant, string zone) =>
        (await ReadAsync(await SendAsync(HttpMethod.Patch, "/api/v1/settings", tenant.OwnerToken, new { timeZone = zone }))).GetProperty("timeZone");

    private async Task<Guid> LeadAsync(TestTenant tenant) =>
        (await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Dana", source = "Reference" }), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task<JsonElement> CreateAsync(TestTenant tenant, object body) =>
        await ReadAsync(await SendAsync(HttpMethod.Post, "/api/v1/tasks", tenant.OwnerToken, body), HttpStatusCode.Created);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        fixture.Client.SendAsync(HostFixture.Authorized(method, path, token, body));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        using (response)
        {
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }
}
