using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StreamFlow.EndToEndTests.Identity;

/// <summary>A client business created through the provider API, with users of each role signed in the real way.</summary>
public sealed record TestTenant(Guid Id, string Slug, string OwnerEmail, string OwnerPassword, string OwnerToken);

public sealed record TestUser(Guid Id, string Email, string Password, string Role, string Token);

public static partial class Tenants
{
    public const string Password = "correct horse battery staple";

    /// <summary>A new business; its industry's template is applied only when asked (<paramref name="applyTemplate"/>), so tests start bare.</summary>
    public static async Task<TestTenant> CreateAsync(HostFixture fixture, string? slug = null, bool applyTemplate = false, string industry = "hvac")
    {
        var providerToken = await fixture.LoginAsync("provider");
        slug ??= $"biz-{Guid.NewGuid():N}"[..20];
        var ownerEmail = $"owner@{slug}.example.com";
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/tenants", providerToken, new
        {
            name = $"Business {slug}",
            slug,
            industry,
            owner = new { email = ownerEmail, name = "Olive Owner", password = Password },
            applyTemplate,
        }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var tenant = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = await LoginAsync(fixture, slug, ownerEmail, Password);
        return new TestTenant(tenant.GetProperty("id").GetGuid(), slug, ownerEmail, Password, token);
    }

    public static async Task<string> LoginAsync(HostFixture fixture, string slug, string email, string password, string? totp = null)
    {
        using var response = await TryLoginAsync(fixture, slug, email, password, totp);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    public static Task<HttpResponseMessage> TryLoginAsync(HostFixture fixture, string slug, string email, string password, string? totp = null) =>
        fixture.Client.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email, password, totp });

    /// <summary>Invites a user as the owner, reads the invitation from maildev, sets the password and signs in.</summary>
    public static async Task<TestUser> AddUserAsync(HostFixture fixture, TestTenant tenant, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}"[..16] + $"@{tenant.Slug}.example.com";
        using var invite = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/users", tenant.OwnerToken, new { email, name = $"A {role}", role }));
        Assert.True(invite.StatusCode == HttpStatusCode.Created, await invite.Content.ReadAsStringAsync());
        var id = (await invite.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var token = await Mailbox.WaitForTokenAsync(email);
        using var accept = await fixture.Client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword = Password });
        Assert.Equal(HttpStatusCode.NoContent, accept.StatusCode);
        return new TestUser(id, email, Password, role, await LoginAsync(fixture, tenant.Slug, email, Password));
    }
}

/// <summary>Reads mail that StreamFlow sent, from maildev's REST API.</summary>
public static partial class Mailbox
{
    private static readonly HttpClient Client = new() { BaseAddress = new Uri(TestEnvironment.Setting("MAILDEV_API_URL")) };

    public static async Task<JsonElement> WaitForMailAsync(string to, Func<JsonElement, bool>? match = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var mails = await Client.GetFromJsonAsync<JsonElement>("/api/email");
            var found = mails.EnumerateArray()
                .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
                .Where(m => match?.Invoke(m) ?? true)
                .LastOrDefault();
            if (found.ValueKind == JsonValueKind.Object)
            {
                return found;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"No mail to {to} arrived.");
    }

    public static async Task<string> WaitForTokenAsync(string to, string? subjectContains = null)
    {
        var mail = await WaitForMailAsync(to, m => subjectContains is null || m.GetProperty("subject").GetString()!.Contains(subjectContains, StringComparison.Ordinal));
        return TokenPattern().Match(mail.GetProperty("text").GetString()!).Value;
    }

    public static Task<byte[]> AttachmentAsync(string mailId, string fileName) =>
        Client.GetByteArrayAsync($"/api/email/{mailId}/attachment/{Uri.EscapeDataString(fileName)}");

    [GeneratedRegex("sf_[A-Za-z0-9_-]{40,}")]
    private static partial Regex TokenPattern();
}
