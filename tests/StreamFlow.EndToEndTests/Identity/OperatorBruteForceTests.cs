using System.Net;
using System.Net.Http.Json;

namespace StreamFlow.EndToEndTests.Identity;

/// <summary>
/// Provider and developer sign-ins are throttled like client sign-ins. A host of its own with operator accounts of its
/// own, so that locking them out never touches the accounts the other tests sign in with.
/// </summary>
public sealed class OperatorBruteForceTests : IAsyncLifetime
{
    private const string Password = "operator brute force passphrase";

    private readonly StandaloneHost _host = new(TestEnvironment.ApiPort + 45, TestEnvironment.SidecarPort + 45, "StreamFlowBruteForce", new Dictionary<string, string>
    {
        ["STREAMFLOW_PROVIDER_EMAIL"] = "brute-provider@streamflow.test",
        ["STREAMFLOW_PROVIDER_PASSWORD"] = Password,
        ["STREAMFLOW_DEV_EMAIL"] = "brute-dev@streamflow.test",
        ["STREAMFLOW_DEV_PASSWORD"] = Password,
    });

    public Task InitializeAsync() => _host.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("provider", "brute-provider@streamflow.test")]
    [InlineData("dev", "brute-dev@streamflow.test")]
    public async Task Repeated_failures_lock_the_right_password_out_with_retry_after(string system, string email)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await _host.Client.PostAsJsonAsync($"/api/v1/{system}/auth/login", new { email, password = $"guess {attempt}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await _host.Client.PostAsJsonAsync($"/api/v1/{system}/auth/login", new { email, password = Password });

        await PlatformEndpointTests.AssertProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
