using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OtpNet;

namespace StreamFlow.EndToEndTests.Identity;

[Collection(HostCollection.Name)]
public sealed class IdentityFlowTests(HostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Provider_creates_a_tenant_whose_owner_can_sign_in()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var me = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));
        var body = await me.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("owner", body.GetProperty("role").GetString());
        Assert.Equal(tenant.Id, body.GetProperty("tenantId").GetGuid());
    }

    [Fact]
    public async Task Login_response_has_the_contract_shape()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.StartsWith("sf_", body.GetProperty("accessToken").GetString(), StringComparison.Ordinal);
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(11));
        Assert.Equal(tenant.OwnerEmail, body.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("owner", body.GetProperty("user").GetProperty("role").GetString());
    }

    [Fact]
    public async Task Duplicate_slug_is_409_and_bad_input_lists_every_field()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var providerToken = await fixture.LoginAsync("provider");

        using var duplicate = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/tenants", providerToken, new
        {
            name = "Again", slug = tenant.Slug, industry = "plumbing", owner = new { email = "x@example.com", name = "X", password = Tenants.Password },
        }));
        using var invalid = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/tenants", providerToken, new
        {
            name = "", slug = "Bad Slug!", industry = "astrology", owner = new { email = "not-an-email", name = "", password = "short" },
        }));
        var problem = await PlatformEndpointTests.AssertProblemAsync(invalid, HttpStatusCode.BadRequest);

        await PlatformEndpointTests.AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        Assert.Equal(["industry", "name", "owner.email", "owner.name", "owner.password", "slug"],
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_answer()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var wrongPassword = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, "wrong password here");
        using var unknownUser = await Tenants.TryLoginAsync(fixture, tenant.Slug, "nobody@example.com", "wrong password here");
        using var unknownTenant = await Tenants.TryLoginAsync(fixture, "no-such-tenant", tenant.OwnerEmail, tenant.OwnerPassword);

        var details = new List<string?>();
        foreach (var response in new[] { wrongPassword, unknownUser, unknownTenant })
        {
            details.Add((await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());
        }

        Assert.Single(details.Distinct());
    }

    [Fact]
    public async Task Repeated_failures_are_throttled_with_retry_after()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, "wrong password here");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword);

        await PlatformEndpointTests.AssertProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task Invited_user_sets_a_password_from_the_email_and_the_link_works_once()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");
        var token = await Mailbox.WaitForTokenAsync(staff.Email, "invited");

        using var reused = await Client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword = "another long password" });

        var problem = await PlatformEndpointTests.AssertProblemAsync(reused, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("token", out _));
        Assert.Equal("staff", staff.Role);
    }

    [Fact]
    public async Task Password_reset_by_email_revokes_sessions_and_sets_the_new_password()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var request = await Client.PostAsJsonAsync("/api/v1/auth/password-reset", new { tenant = tenant.Slug, email = tenant.OwnerEmail });
        using var unknown = await Client.PostAsJsonAsync("/api/v1/auth/password-reset", new { tenant = tenant.Slug, email = "nobody@example.com" });
        var token = await Mailbox.WaitForTokenAsync(tenant.OwnerEmail, "Reset");
        using var confirm = await Client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword = "a brand new passphrase" });
        using var oldSession = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, confirm.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldSession.StatusCode);
        await Tenants.LoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, "a brand new passphrase");
    }

    [Fact]
    public async Task Emailed_links_point_at_the_host_that_sent_them_when_no_public_app_url_is_set()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");

        using var request = await Client.PostAsJsonAsync("/api/v1/auth/password-reset", new { tenant = tenant.Slug, email = tenant.OwnerEmail });
        var reset = await Mailbox.WaitForMailAsync(tenant.OwnerEmail, m => m.GetProperty("subject").GetString()!.Contains("Reset", StringComparison.Ordinal));
        var invitation = await Mailbox.WaitForMailAsync(staff.Email, m => m.GetProperty("subject").GetString()!.Contains("invited", StringComparison.Ordinal));

        Assert.Contains($"http://127.0.0.1:{TestEnvironment.ApiPort}/reset-password?token=sf_", reset.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{TestEnvironment.ApiPort}/accept-invitation?token=sf_", invitation.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_ends_the_session_and_other_sessions_can_be_listed_and_revoked()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var second = await Tenants.LoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword);

        using var list = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/sessions", second));
        var sessions = (await list.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        var other = sessions.Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetGuid();
        using var revoke = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/auth/sessions/{other}", second));
        using var firstAfterRevoke = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));
        using var logout = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/auth/logout", second));
        using var secondAfterLogout = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", second));

        Assert.Equal(2, sessions.Count);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, firstAfterRevoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, secondAfterLogout.StatusCode);
    }

    [Fact]
    public async Task Changing_the_password_revokes_every_session()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var other = await Tenants.LoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword);

        using var change = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/auth/password", tenant.OwnerToken,
            new { currentPassword = tenant.OwnerPassword, newPassword = "yet another long passphrase" }));
        using var otherAfter = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", other));

        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherAfter.StatusCode);
    }

    [Fact]
    public async Task Mfa_requires_a_code_refuses_a_replayed_one_and_accepts_a_recovery_code_once()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var setup = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/auth/mfa/setup", tenant.OwnerToken));
        var secret = (await setup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        var step = DateTime.UtcNow;
        using var enable = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/auth/mfa/enable", tenant.OwnerToken, new { code = totp.ComputeTotp(step) }));
        var recoveryCodes = (await enable.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();

        using var withoutCode = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword);
        using var nextCode = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword, totp.ComputeTotp(step.AddSeconds(30)));
        using var replayed = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword, totp.ComputeTotp(step.AddSeconds(30)));
        using var recovery = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword, recoveryCodes[0]);
        using var recoveryAgain = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword, recoveryCodes[0]);

        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        Assert.Equal(10, recoveryCodes.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nextCode.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recovery.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, recoveryAgain.StatusCode);
    }

    [Fact]
    public async Task The_last_owner_cannot_be_demoted_or_removed()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var me = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));
        var ownerId = (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetGuid();

        using var demote = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/users/{ownerId}", tenant.OwnerToken, new { role = "admin" }));
        using var remove = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/users/{ownerId}", tenant.OwnerToken));

        await PlatformEndpointTests.AssertProblemAsync(demote, HttpStatusCode.Conflict);
        await PlatformEndpointTests.AssertProblemAsync(remove, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_admin_cannot_touch_an_owner()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var admin = await Tenants.AddUserAsync(fixture, tenant, "admin");
        using var me = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));
        var ownerId = (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetGuid();

        using var demote = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/users/{ownerId}", admin.Token, new { role = "staff" }));
        using var inviteOwner = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/users", admin.Token, new { email = "o2@example.com", name = "O", role = "owner" }));

        await PlatformEndpointTests.AssertProblemAsync(demote, HttpStatusCode.Forbidden);
        await PlatformEndpointTests.AssertProblemAsync(inviteOwner, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_suspended_tenant_gets_403_with_the_reason_until_resumed()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var providerToken = await fixture.LoginAsync("provider");

        using var suspend = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/suspend", providerToken, new { reason = "Invoice 42 unpaid" }));
        using var whileSuspended = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));
        var problem = await PlatformEndpointTests.AssertProblemAsync(whileSuspended, HttpStatusCode.Forbidden);
        using var resume = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/tenants/{tenant.Id}/resume", providerToken));
        using var afterResume = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
        Assert.Contains("Invoice 42 unpaid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterResume.StatusCode);
    }

    [Fact]
    public async Task Per_user_rate_limit_set_by_the_provider_answers_429_with_retry_after()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var providerToken = await fixture.LoginAsync("provider");
        using var limit = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/rate-limits", providerToken, new { userRequestsPerMinute = 3 }));
        Assert.Equal(HttpStatusCode.OK, limit.StatusCode);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", tenant.OwnerToken));
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(last!.Headers.RetryAfter);
        last.Dispose();
    }

    [Fact]
    public async Task Client_admins_read_their_audit_trail_with_logins_and_user_changes()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await Tenants.AddUserAsync(fixture, tenant, "manager");

        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=100", tenant.OwnerToken));
        var actions = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).ToList();

        Assert.Contains("tenant.created", actions);
        Assert.Contains("login.succeeded", actions);
        Assert.Contains("user.invited", actions);
        Assert.Contains("user.invitation_accepted", actions);
    }
}
