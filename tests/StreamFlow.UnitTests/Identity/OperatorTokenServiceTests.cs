using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Identity.Systems;

namespace StreamFlow.UnitTests.Identity;

public sealed class OperatorTokenServiceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly OperatorTokenService _tokens;

    public OperatorTokenServiceTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["STREAMFLOW_PROVIDER_EMAIL"] = "provider@example.test",
            ["STREAMFLOW_PROVIDER_PASSWORD"] = "provider-password",
            ["STREAMFLOW_DEV_EMAIL"] = "dev@example.test",
            ["STREAMFLOW_DEV_PASSWORD"] = "dev-password",
            ["Jwt:ProviderSigningKey"] = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()),
            ["Jwt:DeveloperSigningKey"] = Convert.ToBase64String(Enumerable.Repeat((byte)2, 32).ToArray()),
        }).Build();
        _tokens = new OperatorTokenService(new OperatorAccounts(configuration), _time, new OperatorAuthOptions());
    }

    [Fact]
    public async Task A_token_validates_in_its_own_system()
    {
        var token = _tokens.Issue(OperatorSystem.Provider, "provider@example.test");

        var principal = await _tokens.ValidateAsync(OperatorSystem.Provider, token.AccessToken);

        Assert.Equal(new OperatorPrincipal(OperatorSystem.Provider, "provider@example.test"), principal);
        Assert.Equal(900, token.ExpiresIn);
    }

    [Theory]
    [InlineData(OperatorSystem.Provider, OperatorSystem.Developer)]
    [InlineData(OperatorSystem.Developer, OperatorSystem.Provider)]
    public async Task A_token_of_one_system_is_refused_by_the_other(OperatorSystem issuedBy, OperatorSystem presentedTo)
    {
        var token = _tokens.Issue(issuedBy, "someone@example.test");

        Assert.Null(await _tokens.ValidateAsync(presentedTo, token.AccessToken));
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var token = _tokens.Issue(OperatorSystem.Developer, "dev@example.test");
        _time.Advance(TimeSpan.FromMinutes(16));

        Assert.Null(await _tokens.ValidateAsync(OperatorSystem.Developer, token.AccessToken));
    }

    [Fact]
    public async Task A_tampered_payload_is_refused()
    {
        var parts = _tokens.Issue(OperatorSystem.Developer, "dev@example.test").AccessToken.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlDecode(parts[1])).Replace("dev@example.test", "evil@example.test", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64UrlEncode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        Assert.Null(await _tokens.ValidateAsync(OperatorSystem.Developer, forged));
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var parts = _tokens.Issue(OperatorSystem.Developer, "dev@example.test").AccessToken.Split('.');
        var header = Base64UrlEncode(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"developer+jwt"}"""));

        Assert.Null(await _tokens.ValidateAsync(OperatorSystem.Developer, $"{header}.{parts[1]}."));
    }

    [Fact]
    public async Task Garbage_is_refused()
    {
        Assert.Null(await _tokens.ValidateAsync(OperatorSystem.Provider, "not-a-jwt"));
    }

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
