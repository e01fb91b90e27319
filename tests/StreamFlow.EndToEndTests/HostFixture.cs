using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamFlow.EndToEndTests;

/// <summary>One standalone host for the whole end-to-end collection.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    public StandaloneHost Host { get; } = new(TestEnvironment.ApiPort, TestEnvironment.SidecarPort);

    public HttpClient Client => Host.Client;

    public Task InitializeAsync() => Host.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public async Task<string> LoginAsync(string system)
    {
        var prefix = system == "dev" ? "STREAMFLOW_DEV_" : "STREAMFLOW_PROVIDER_";
        using var response = await Client.PostAsJsonAsync($"/api/v1/{system}/auth/login", new
        {
            email = TestEnvironment.Setting(prefix + "EMAIL"),
            password = TestEnvironment.Setting(prefix + "PASSWORD"),
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("accessToken").GetString()!;
    }

    public static HttpRequestMessage Authorized(HttpMethod method, string path, string token, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return request;
    }
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "standalone host";
}
